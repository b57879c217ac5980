from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils.translation import gettext_lazy as _


class Tyntec2FAConfig(AppConfig):
    """Registers the system checks and the login/logout receivers; nothing else
    happens at start-up."""

    name = "django_tyntec2fa"
    label = "tyntec2fa"
    verbose_name = _("Two-factor authentication (SMS / voice)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
        from .abuse import conversion  # noqa: F401  (counts sends and verifications, P4)
        from .gate.receivers import on_user_logged_in, on_user_logged_out
        from .providers import registry  # noqa: F401  (drops cached providers on setting_changed)

        user_logged_in.connect(on_user_logged_in, dispatch_uid="tyntec2fa.user_logged_in")
        user_logged_out.connect(on_user_logged_out, dispatch_uid="tyntec2fa.user_logged_out")
        # Security notices by email (E2, E3, E4, E7): the rules are in flows/notices.py.
        from .flows import notices

        notices.connect()
        self._connect_trust()

    @staticmethod
    def _connect_trust() -> None:
        """What ends the trust of a user's browsers (S9): the rules are in flows/trust.py."""
        from django.conf import settings
        from django.db.models.signals import post_save

        from . import signals
        from .flows import trust

        signals.device_added.connect(trust.on_device_added, dispatch_uid="tyntec2fa.trust.added")
        signals.device_removed.connect(
            trust.on_device_removed, dispatch_uid="tyntec2fa.trust.removed"
        )
        signals.recovery_codes_generated.connect(
            trust.on_recovery_codes_generated, dispatch_uid="tyntec2fa.trust.recovery"
        )
        post_save.connect(
            trust.on_user_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="tyntec2fa.trust.password",
        )
