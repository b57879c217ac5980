"""The gate: keeps a login that owes a second factor away from everything else.

- ``middleware``: ``SecondFactorMiddleware``, the gate itself;
- ``decorators`` and ``mixins``: ``second_factor_required``, ``recent_second_factor``;
- ``receivers``: Django's login and logout signals;
- ``access``: which views a pending login may reach; ``redirects``: where it is sent;
- ``session_cookie``: keeps the session on a 5xx answer, as ``SessionMiddleware`` does.
"""
