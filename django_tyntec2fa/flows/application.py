"""The tyntec application the app sends with, and what the settings want it to be.

``manage.py tyntec2fa_application`` (show, check, sync) is a thin adapter over this
module; every rule about the application lives here (docs/operations.md):

- **Which application.** ``TYNTEC2FA_APPLICATION_ID``, or tyntec's ``default``
  application when it is unset: the one every send uses.
- **What the settings want.** ``pinLength`` = ``TYNTEC2FA_PIN_LENGTH``; ``attempts`` at
  least ``TYNTEC2FA_MAX_ATTEMPTS`` and ``expire`` at least ``TYNTEC2FA_OTP_TTL``
  (tyntec must never end a code before the app does: the app counts attempts and
  enforces the lifetime itself, G6); ``alphanumeric`` false (the app reads digits
  only); ``sender`` and ``caller`` equal to ``TYNTEC2FA_SENDER`` and ``_CALLER`` when
  those are set (unset: tyntec's value is left as it is); and one SMS and one voice
  template per managed language.
- **Managed templates.** The managed languages are the site's ``LANGUAGES`` (their
  primary subtag, ``de-at`` -> ``de``) that the app has texts for: English and the
  locales it ships. For each, the keys ``<lang>`` (SMS) and ``<lang>-voice`` (a call)
  are the managed templates; their texts are the app's own messages
  (``providers/local_text.template_text``, G8) with tyntec's ``{{OTP}}``. The key is
  the marker: a sync writes only managed keys and **never deletes a template**, so a
  template under any other key (``es``, ``it-voice``) is never touched.
- **Changing tyntec's default application** needs the operator's word
  (``allow_default``), since other systems on the account may send with it; or
  ``create`` makes an application for this site, whose id then goes into the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from ..conf import app_settings
from ..exceptions import ApplicationError, ProviderConfigurationError, ProviderRejected
from ..providers.base import Application, Channel
from ..providers.local_text import template_text
from ..providers.registry import get_provider
from ..providers.tyntec.application import ApplicationService

DEFAULT_APPLICATION = "default"  # tyntec's own name for the account's default application
NEW_APPLICATION_NAME = "django-tyntec2fa"
#: English is the source language; the others are the catalogs the app ships.
SOURCE_LANGUAGE = "en"
_LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def app_languages() -> list[str]:
    """The languages the app has message texts in: English and its shipped catalogs."""
    shipped = sorted(p.name for p in _LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
    return [SOURCE_LANGUAGE, *(code for code in shipped if code != SOURCE_LANGUAGE)]


def managed_languages() -> list[str]:
    """The site's languages (``settings.LANGUAGES``) the app has texts for, in the
    site's order; tyntec's ``language`` is ISO 639-1, so ``de-at`` counts as ``de``."""
    ours = set(app_languages())
    found: list[str] = []
    for code, _name in settings.LANGUAGES:
        primary = code.split("-")[0].lower()
        if primary in ours and primary not in found:
            found.append(primary)
    return found


def template_key(language: str, channel: Channel) -> str:
    """tyntec's key of a template: ``de`` for SMS, ``de-voice`` for a call."""
    return f"{language}-voice" if channel is Channel.VOICE else language


@dataclass(frozen=True)
class Template:
    """One managed template: where it goes at tyntec and its text."""

    language: str
    channel: Channel
    text: str

    @property
    def key(self) -> str:
        """tyntec's key of this template in the application's ``template`` object."""
        return template_key(self.language, self.channel)


@dataclass(frozen=True)
class Wanted:
    """What the settings want of the application; ``attempts`` and ``expire`` are minimums,
    ``sender``/``caller`` None means "any"."""

    pin_length: int
    attempts: int
    expire: int
    sender: str | None
    caller: str | None
    templates: tuple[Template, ...]


def wanted() -> Wanted:
    """The application the settings ask for, read now (``override_settings`` works)."""
    ttl = app_settings.OTP_TTL
    templates = tuple(
        Template(
            language, channel, template_text(channel=channel, language=language, ttl_seconds=ttl)
        )
        for language in managed_languages()
        for channel in (Channel.SMS, Channel.VOICE)
    )
    return Wanted(
        pin_length=app_settings.PIN_LENGTH,
        attempts=app_settings.MAX_ATTEMPTS,
        expire=ttl,
        sender=app_settings.SENDER or None,
        caller=app_settings.CALLER or None,
        templates=templates,
    )


@dataclass(frozen=True)
class Difference:
    """One way the live application disagrees with the settings, in operator words."""

    name: str  # "pinLength", "template de-voice"
    live: str
    wanted: str
    setting: str  # the setting behind the wish


def shown(value: Any) -> str:
    """A value as the command prints it: strings quoted, None as "unset"."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _equal(live: Any, wish: Any) -> bool:
    return bool(live == wish)


def _at_least(live: Any, wish: Any) -> bool:
    return live is not None and live >= wish


@dataclass(frozen=True)
class FieldRule:
    """One field of the application and what the settings want of it: stated once, for
    the comparison, the dry run's plan and the sync alike."""

    name: str  # tyntec's spelling
    attribute: str  # ``Application``'s attribute and ``update_application``'s keyword
    setting: str  # where the wish comes from
    wish: Callable[[Wanted], Any]  # the value a sync sets; None means "any"
    agrees: Callable[[Any, Any], bool] = _equal
    unit: str = ""

    def describe(self, want: Wanted) -> str:
        """The wish in operator words: ``6``, ``at least 300 (seconds)``, ``any``."""
        wish = self.wish(want)
        if wish is None:
            return "any"
        text = f"at least {wish}" if self.agrees is _at_least else shown(wish)
        return f"{text} ({self.unit})" if self.unit else text

    def holds(self, live: Application | None, want: Wanted) -> bool:
        """True when ``live`` (None: an application still to be created) has what is wanted."""
        wish = self.wish(want)
        if wish is None:
            return True
        return live is not None and self.agrees(getattr(live, self.attribute), wish)


FIELD_RULES: tuple[FieldRule, ...] = (
    FieldRule("pinLength", "pin_length", "TYNTEC2FA_PIN_LENGTH", lambda w: w.pin_length),
    FieldRule("attempts", "attempts", "TYNTEC2FA_MAX_ATTEMPTS", lambda w: w.attempts, _at_least),
    FieldRule(
        "expire", "expire", "TYNTEC2FA_OTP_TTL", lambda w: w.expire, _at_least, unit="seconds"
    ),
    # The app reads digits only; an unset flag means tyntec's default, digits.
    FieldRule(
        "alphanumeric",
        "alphanumeric",
        "the app's codes are digits",
        lambda w: False,
        lambda live, wish: not live,
    ),
    FieldRule("sender", "sender", "TYNTEC2FA_SENDER", lambda w: w.sender),
    FieldRule("caller", "caller", "TYNTEC2FA_CALLER", lambda w: w.caller),
)


def differences(live: Application, want: Wanted) -> list[Difference]:
    """Everything in ``live`` the settings disagree with; empty when it agrees."""
    found = [
        Difference(
            rule.name, shown(getattr(live, rule.attribute)), rule.describe(want), rule.setting
        )
        for rule in FIELD_RULES
        if not rule.holds(live, want)
    ]
    for template in want.templates:
        text = live.templates.get(template.key)
        if text != template.text:
            live_text = "missing" if text is None else repr(text)
            found.append(
                Difference(
                    f"template {template.key}", live_text, repr(template.text), "the app's text"
                )
            )
    return found


@dataclass(frozen=True)
class Inspection:
    """The live application next to the settings (``show`` and ``check``)."""

    application_id: str
    application: Application
    wanted: Wanted
    differences: list[Difference]
    #: Templates under keys the app does not manage: shown, never changed.
    unmanaged: dict[str, str]

    @property
    def agrees(self) -> bool:
        """True when the live application is what the settings want."""
        return not self.differences


def service_named() -> bool:
    """False when ``TYNTEC2FA_SERVICE_NAME`` is empty: the texts then do not say who
    sends the code, which G8 asks for."""
    return bool(app_settings.SERVICE_NAME)


def target_id() -> str:
    """The application every send uses: ``TYNTEC2FA_APPLICATION_ID`` or ``default``."""
    return app_settings.APPLICATION_ID or DEFAULT_APPLICATION


def application_service() -> ApplicationService:
    """The configured provider's application service; only tyntec has applications."""
    provider = get_provider()
    if not isinstance(provider, ApplicationService):
        raise ProviderConfigurationError(
            f"TYNTEC2FA_PROVIDER is {type(provider).__name__}, which has no tyntec "
            "application; set it to the TyntecProvider"
        )
    return provider


def _read(service: ApplicationService, application_id: str) -> Application:
    try:
        return service.get_application(application_id)
    except ValueError:  # an id that would not stay one URL path segment
        raise ApplicationError(
            f"TYNTEC2FA_APPLICATION_ID {application_id!r} is not a valid application id"
        ) from None
    except ProviderRejected as error:  # GET documents no 400: this is the 404
        raise ApplicationError(
            f"tyntec does not know application {application_id!r} "
            f"(TYNTEC2FA_APPLICATION_ID; {error.detail})"
        ) from None


def inspect(service: ApplicationService | None = None) -> Inspection:
    """Read the application every send uses and compare it with the settings."""
    service = service or application_service()
    application_id = target_id()
    live = _read(service, application_id)
    want = wanted()
    managed = {template.key for template in want.templates}
    return Inspection(
        application_id=application_id,
        application=live,
        wanted=want,
        differences=differences(live, want),
        unmanaged={k: v for k, v in sorted(live.templates.items()) if k not in managed},
    )


@dataclass(frozen=True)
class Plan:
    """What a sync would do. ``create`` makes a new application (then ``changes`` are its
    fields); otherwise ``changes`` update ``application_id``. ``templates`` are written
    (added or replaced); nothing is ever deleted."""

    application_id: str | None
    create: bool
    changes: dict[str, Any] = field(default_factory=dict)
    templates: tuple[Template, ...] = ()
    differences: tuple[Difference, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the application already agrees: nothing to do."""
        return not self.create and not self.changes and not self.templates


def _fixes(live: Application | None, want: Wanted) -> dict[str, Any]:
    """``update_application`` arguments that make ``live`` agree (all wishes for None)."""
    return {rule.attribute: rule.wish(want) for rule in FIELD_RULES if not rule.holds(live, want)}


def plan_sync(*, create: bool = False, service: ApplicationService | None = None) -> Plan:
    """What a sync would change, without changing anything (the dry run)."""
    service = service or application_service()
    want = wanted()
    if create:
        if app_settings.APPLICATION_ID:
            raise ApplicationError(
                "TYNTEC2FA_APPLICATION_ID is set: sync without --create updates that application"
            )
        return Plan(None, True, _fixes(None, want), want.templates)
    found = inspect(service)
    live = found.application
    writes = tuple(t for t in want.templates if live.templates.get(t.key) != t.text)
    return Plan(found.application_id, False, _fixes(live, want), writes, tuple(found.differences))


def apply_plan(
    plan: Plan, *, allow_default: bool = False, service: ApplicationService | None = None
) -> Application:
    """Carry ``plan`` out and return the application as tyntec reports it afterwards.

    Refuses to change tyntec's default application unless ``allow_default``. Writes
    are not retried; a failure midway leaves the earlier writes done, and the next
    sync plans only what is still missing.
    """
    service = service or application_service()
    if plan.create:
        application = service.create_application(name=NEW_APPLICATION_NAME, **plan.changes)
        application_id = application.application_id
        if not application_id:
            raise ApplicationError("tyntec created an application without an applicationId")
    else:
        application_id = plan.application_id or DEFAULT_APPLICATION
        if application_id == DEFAULT_APPLICATION and not plan.empty and not allow_default:
            raise ApplicationError(
                "TYNTEC2FA_APPLICATION_ID is not set, so sends use tyntec's default "
                "application, which other systems on the account may use too; pass "
                "--create to make an application for this site, or --default to change "
                "the default application anyway"
            )
        application = _read(service, application_id)
        if plan.changes:
            application = service.update_application(application_id, **plan.changes)
    for template in plan.templates:
        # SMS templates go under the plain language (no channel): the key tyntec's
        # documented answers show; VOICE under "<lang>-voice".
        channel = Channel.VOICE.value if template.channel is Channel.VOICE else None
        application = service.save_template(
            application_id, template.language, template.text, channel=channel
        )
    return application
