"""``manage.py tyntec2fa_application show|check|sync``: the tyntec application every send
uses, compared with and brought in line with the settings (``flows/application.py``
holds the rules; docs/operations.md).

Exit status: 0 when all is well; 1 when ``check`` finds the application disagreeing
with the settings; 2 when tyntec could not be asked or a change was refused (nothing
is half-reported: the message says what was done).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...exceptions import (
    ApplicationError,
    ProviderConfigurationError,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from ...flows import application as flow
from ...providers.base import Application

DRIFT = 1  # check: the application disagrees
FAILED = 2  # tyntec could not be asked, or the change was refused
_PREVIEW = 60  # characters of a template text in the overview
#: The plan's fields in tyntec's spelling, as ``show`` and ``check`` print them.
_TYNTEC_NAMES = {rule.attribute: rule.name for rule in flow.FIELD_RULES}


def _failure(error: Exception, done: str = "") -> CommandError:
    """One readable line per kind of failure, never a traceback."""
    if isinstance(error, ApplicationError):
        text = error.detail
    elif isinstance(error, ProviderUnavailable):
        text = f"tyntec did not answer ({error.detail}); try again later"
    elif isinstance(error, ProviderConfigurationError):
        text = (
            f"tyntec cannot be used as configured ({error.detail}); check "
            "TYNTEC2FA_PROVIDER, TYNTEC2FA_API_KEY and TYNTEC2FA_API_URL"
        )
    elif isinstance(error, ProviderRejected):
        text = f"tyntec refused the change ({error.detail}, code {error.provider_code})"
    else:
        text = f"tyntec gave an unexpected answer ({getattr(error, 'detail', error)})"
    return CommandError(text + (f". {done}" if done else ""), returncode=FAILED)


def _preview(text: str) -> str:
    return repr(text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…")


class Command(BaseCommand):
    help = (
        "The tyntec application sends use (TYNTEC2FA_APPLICATION_ID, or tyntec's default): "
        "show it, check it against the settings (exit 1 when it disagrees), or sync it "
        "(a dry run unless --apply)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="show|check|sync")
        actions.add_parser("show", help="the live application and its templates vs the settings")
        actions.add_parser("check", help="exit 1 with a diff when the application disagrees")
        sync = actions.add_parser("sync", help="print the plan; --apply carries it out")
        sync.add_argument("--apply", action="store_true", help="change the application")
        sync.add_argument(
            "--create",
            action="store_true",
            help="create an application for this site (TYNTEC2FA_APPLICATION_ID unset)",
        )
        sync.add_argument(
            "--default",
            action="store_true",
            dest="allow_default",
            help="allow changing tyntec's default application",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if not flow.service_named():
            self.stderr.write(
                "Warning: TYNTEC2FA_SERVICE_NAME is empty, so the templates do not say who "
                "sends the code (G8). Set it and sync."
            )
        try:
            if action == "show":
                self._show(flow.inspect())
            elif action == "check":
                self._check(flow.inspect())
            else:
                self._sync(**options)
        except (ApplicationError, ProviderError) as error:
            raise _failure(error) from None

    # -- show and check ------------------------------------------------------------------

    def _heading(self, found: flow.Inspection) -> None:
        app = found.application
        source = (
            "TYNTEC2FA_APPLICATION_ID"
            if found.application_id != flow.DEFAULT_APPLICATION
            else "the account's default application: TYNTEC2FA_APPLICATION_ID is not set"
        )
        self.stdout.write(
            f"tyntec application {app.application_id or found.application_id} "
            f"({app.name or 'no name'}; {source})"
        )

    def _show(self, found: flow.Inspection) -> None:
        self._heading(found)
        app, want = found.application, found.wanted
        for rule in flow.FIELD_RULES:
            live = flow.shown(getattr(app, rule.attribute))
            mark = "ok" if rule.holds(app, want) else "DIFFERS"
            self.stdout.write(
                f"  {rule.name:<14} {live:<12} wanted {rule.describe(want):<24} {mark}"
            )
        self.stdout.write("Templates (managed: written by sync; others: left as they are):")
        for template in want.templates:
            text = app.templates.get(template.key)
            state = "missing" if text is None else ("ok" if text == template.text else "DIFFERS")
            shown = "" if text is None else _preview(text)
            self.stdout.write(f"  {template.key:<10} managed    {state:<8} {shown}")
        for key, text in found.unmanaged.items():
            self.stdout.write(f"  {key:<10} unmanaged  {'':<8} {_preview(text)}")
        self._summary(found)

    def _summary(self, found: flow.Inspection) -> None:
        if found.agrees:
            self.stdout.write("The application agrees with the settings.")
        else:
            self.stdout.write(
                f"The application disagrees with the settings in {len(found.differences)} point(s):"
            )
            for difference in found.differences:
                self.stdout.write(
                    f"  - {difference.name}: live {difference.live}, wanted "
                    f"{difference.wanted} ({difference.setting})"
                )

    def _check(self, found: flow.Inspection) -> None:
        self._heading(found)
        self._summary(found)
        if not found.agrees:
            raise CommandError(
                "the tyntec application disagrees with the settings; "
                "`manage.py tyntec2fa_application sync` shows the plan, --apply carries it out",
                returncode=DRIFT,
            )

    # -- sync ----------------------------------------------------------------------------

    def _sync(
        self, *, apply: bool = False, create: bool = False, allow_default: bool = False, **_: Any
    ) -> None:
        plan = flow.plan_sync(create=create)
        self._print_plan(plan)
        if plan.empty:
            self.stdout.write("Nothing to do: the application agrees with the settings.")
            return
        if not apply:
            self.stdout.write("Dry run: nothing was changed. Run again with --apply to change it.")
            if plan.application_id == flow.DEFAULT_APPLICATION and not allow_default:
                self.stdout.write(
                    "TYNTEC2FA_APPLICATION_ID is not set, so this is tyntec's default "
                    "application: --apply also needs --default, or use --create for an "
                    "application of this site."
                )
            return
        try:
            application = flow.apply_plan(plan, allow_default=allow_default)
        except (ApplicationError, ProviderError) as error:
            done = "Run sync again: it plans only what is still missing." if not plan.create else ""
            raise _failure(error, done) from None
        self._applied(plan, application)

    def _print_plan(self, plan: flow.Plan) -> None:
        if plan.create:
            self.stdout.write("Plan: create a new tyntec application for this site with:")
        else:
            self.stdout.write(f"Plan for tyntec application {plan.application_id}:")
        for name, value in plan.changes.items():
            self.stdout.write(f"  set {_TYNTEC_NAMES[name]} = {flow.shown(value)}")
        for template in plan.templates:
            self.stdout.write(f"  write template {template.key}: {template.text!r}")

    def _applied(self, plan: flow.Plan, application: Application) -> None:
        self.stdout.write(
            f"Done: {len(plan.changes)} setting(s) and {len(plan.templates)} template(s) written."
        )
        if plan.create:
            self.stdout.write(
                f"Created application {application.application_id}. Put this in your "
                f'settings: TYNTEC2FA_APPLICATION_ID = "{application.application_id}"'
            )
