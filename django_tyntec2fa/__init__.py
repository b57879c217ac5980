"""django-tyntec2fa: an SMS / voice one-time-password second factor for Django."""

__version__ = "0.1.0"
