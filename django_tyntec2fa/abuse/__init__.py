"""The SMS-pumping and cost defences every code passes before the provider is called.

- ``guard``: the order in which a send is checked (the one entry point of the flows);
- ``destinations``: countries and number types that never get a code, the lookup hook;
- ``ratelimits``: per user, number, IP, session and prefix (django-ratelimit);
- ``velocity``: the site-wide send budget;
- ``conversion``: sends that are never verified block a number, prefix or country;
- ``counters``: the cache the counts live in (the rate-limit cache).

See docs/abuse.md.
"""
