"""Forms of the HTML views. They validate the shape of the input only; the rules
(normalisation, limits, ownership) live in ``flows``, which the JSON API shares."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..choices import Channel
from ..conf import app_settings
from ..models import PhoneDevice

#: Longest input accepted at all; ``flows.verify`` refuses more before any work (L6).
CODE_MAX_CHARS = 64


class CodeInput(forms.TextInput):
    """A text input rendered in Python instead of through the widget templates: the
    code box is on every login's path, and the same HTML comes out (attributes from
    the field, the form and ``BoundField``: ``aria-invalid``, ``aria-describedby``).

    Like ``PasswordInput(render_value=False)``, it never shows a value: a refused code
    comes back as an empty box, not as digits to correct by hand, and a code never
    ends up in the HTML of a page."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        """The widget's context without the submitted value."""
        return super().get_context(name, None, attrs)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        """``<input type="text" name=... ...>``, attributes escaped, never a value."""
        widget = self.get_context(name, value, attrs)["widget"]
        final = {"type": widget["type"], "name": widget["name"], **widget["attrs"]}
        return format_html("<input{}>", flatatt(final))


class CodeForm(forms.Form):
    """The one-time code the user received. Only ever read from POST data (S7)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_MAX_CHARS,
        help_text=_("The digits from the text message or the call."),
        widget=CodeInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read per form, not at import, so override_settings works (conf.py).
        length = app_settings.PIN_LENGTH
        self.fields["code"].widget.attrs["maxlength"] = str(length)
        self.fields["code"].widget.attrs["size"] = str(length + 2)


class SendForm(forms.Form):
    """Send a code again: on another channel ("call me instead") or to another phone."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[
            ("", _("Preferred channel")),
            (Channel.SMS, _("Text message")),
            (Channel.VOICE, _("Voice call")),
        ],
    )
    device = forms.ModelChoiceField(
        label=_("Use another phone"),
        required=False,
        empty_label=None,
        queryset=PhoneDevice.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your phones.")},
    )

    def __init__(self, *args: Any, user: Any, exclude_pk: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this user's confirmed phones are valid choices: another user's device id
        # is an invalid choice, never a lookup (IDOR, E2), and an unconfirmed one is
        # never offered at login (E1).
        devices = PhoneDevice.objects.filter(user=user, confirmed=True)
        if exclude_pk is not None:
            devices = devices.exclude(pk=exclude_pk)
        field = cast(forms.ModelChoiceField, self.fields["device"])
        field.queryset = devices
        field.label_from_instance = device_choice_label  # type: ignore[method-assign]

    def clean_channel(self) -> str | None:
        """An empty choice means the device's preferred channel."""
        return self.cleaned_data.get("channel") or None


def device_choice_label(device: PhoneDevice) -> str:
    """A phone as the user sees it in a list: the label and the masked number."""
    if device.label:
        return f"{device.label} ({device.masked_number})"
    return device.masked_number


class EnrollForm(forms.Form):
    """A new phone number. ``flows.enroll`` normalises and validates it (U2)."""

    number = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        help_text=_("In international format, for example +49 151 23456789."),
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )
    label = forms.CharField(
        label=_("Name for this phone (optional)"),
        max_length=64,
        required=False,
        help_text=_("For example “Work phone”. Shown only to you."),
    )
    channel = forms.ChoiceField(
        label=_("Send sign-in codes by"),
        help_text=_("The code that confirms this number always comes by text message."),
        choices=[
            (Channel.SMS, _("Text message")),
            (Channel.VOICE, _("Voice call")),
        ],
        initial=Channel.SMS,
        widget=forms.RadioSelect,
    )


class RecoveryCodeForm(forms.Form):
    """One recovery code, typed at sign-in when the phone is not at hand. Only ever read
    from POST data (S7); ``flows.recovery`` normalises it."""

    code = forms.CharField(
        label=_("Recovery code"),
        max_length=CODE_MAX_CHARS,
        help_text=_(
            "One of the recovery codes you saved, for example k7qm-4xta-9rhe. Each code works once."
        ),
        # The same never-a-value widget as the code box; not "one-time-code", which
        # would invite the phone's SMS autofill into a field it cannot fill.
        widget=CodeInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "size": "16",
            }
        ),
    )
