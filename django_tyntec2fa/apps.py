from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Tyntec2FAConfig(AppConfig):
    """Registers the system checks; nothing else happens at start-up."""

    name = "django_tyntec2fa"
    label = "tyntec2fa"
    verbose_name = _("Two-factor authentication (SMS / voice)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
        from .providers import registry  # noqa: F401  (drops cached providers on setting_changed)
