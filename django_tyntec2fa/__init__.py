"""django-tyntec2fa: an SMS / voice one-time-password second factor for Django."""

# Between releases main carries the next version's .dev0 (CONTRIBUTING.md, "A release"):
# a build of main is never mistaken for the release before it.
__version__ = "0.2.0.dev0"
