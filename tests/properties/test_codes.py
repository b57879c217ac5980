"""L6 as a property: a typed code verifies if and only if, after removing ASCII
whitespace and "-", it is exactly the code sent, in ASCII digits, in at most 64
characters. Unicode digits (fullwidth, Arabic-Indic, Devanagari, mathematical), look-alike
separators, a missing or an extra digit: never.
"""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from django_tyntec2fa import flows
from django_tyntec2fa.exceptions import ChallengeError
from django_tyntec2fa.flows.codes import normalize_code
from django_tyntec2fa.models import Challenge, PhoneDevice
from django_tyntec2fa.providers import sinks

from .strategies import FAST, code_templates, normalise, render_code

LOGIN = Challenge.Purpose.LOGIN
CODE = st.text("0123456789", min_size=6, max_size=6)


@FAST
@given(raw=st.text(max_size=80) | st.builds(render_code, code_templates(), CODE))
def test_normalisation_matches_the_requirement_l6(raw: str) -> None:
    """The parser accepts exactly what L6 describes, for any text."""
    expected = normalise(raw)
    assert normalize_code(raw, 6) == (expected if expected and len(expected) == 6 else None)


@FAST
@given(value=st.none() | st.integers() | st.binary() | st.lists(st.text(max_size=3)))
def test_non_text_is_never_a_code_l6(value: Any) -> None:
    assert normalize_code(value, 6) is None


@override_settings(TYNTEC2FA_RATELIMIT_ENABLE=False)
class VerifyIffNormalisedTests(TestCase):
    """Through ``flows.verify`` with the local provider; each example in its own
    transaction (a fresh challenge, attempts and failure counter)."""

    @classmethod
    def setUpTestData(cls) -> None:
        from django.contrib.auth import get_user_model

        cls.user = get_user_model().objects.create_user("l6", password="l6-password")
        PhoneDevice.objects.create(
            user=cls.user, number="+4915123456789", confirmed=True, is_primary=True
        )

    @FAST
    @given(
        written=st.one_of(
            st.builds(lambda template: ("template", template), code_templates()),
            st.builds(lambda text: ("text", text), st.text(max_size=70)),
        )
    )
    def test_verify_iff_normalised_input_is_the_code_l6(self, written: tuple[str, Any]) -> None:
        request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.1")
        challenge = flows.start(request, self.user, purpose=LOGIN)
        (code,) = [d.code for d in sinks.outbox if d.otp_id == challenge.provider_otp_id]
        kind, value = written
        typed = render_code(value, code) if kind == "template" else value
        try:
            flows.verify(request, self.user, purpose=LOGIN, code=typed)
            verified = True
        except ChallengeError:
            verified = False
        assert verified == (normalise(typed) == code), (ascii(typed), code)
        challenge.refresh_from_db()
        assert (challenge.status == Challenge.Status.VERIFIED) == verified

    def test_examples_on_both_sides_of_the_line_l6(self) -> None:
        """The property's two outcomes, pinned: separators L6 removes verify; other
        scripts' digits and look-alike separators do not."""
        request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.1")
        accepted = ["{}", " {} ", "{a} {b}", "{a}-{b}", "\t{a}\n{b}\r"]
        refused = ["{a}\u00a0{b}", "{a}_{b}", "{fullwidth}", "{arabic}", "+{}"]
        fullwidth = str.maketrans("0123456789", "０１２３４５６７８９")
        arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
        for pattern in accepted + refused:
            challenge = flows.start(request, self.user, purpose=LOGIN)
            (code,) = [d.code for d in sinks.outbox if d.otp_id == challenge.provider_otp_id]
            typed = pattern.format(
                code,
                a=code[:3],
                b=code[3:],
                fullwidth=code.translate(fullwidth),
                arabic=code.translate(arabic),
            )
            try:
                flows.verify(request, self.user, purpose=LOGIN, code=typed)
                verified = True
            except ChallengeError:
                verified = False
            assert verified == (pattern in accepted), ascii(pattern)
            flows.cancel(request, self.user, purpose=LOGIN)
