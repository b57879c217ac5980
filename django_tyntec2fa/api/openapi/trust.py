"""OpenAPI annotations of the trusted-browser endpoints (S9)."""

from __future__ import annotations

from .. import examples as ex
from ..serializers import TrustedBrowserSerializer
from .common import SIGNED_IN_REFUSALS, UNSAFE, operation, responses

trusted_browser_list = operation(
    "trusted_browsers",
    "trusted-browsers",
    "Your trusted browsers",
    "Browsers that skip the code at your password sign-in (`remember: true` on "
    "`challenge/verify/`), newest first; `current` is the one the request comes from.",
    responses(
        200,
        TrustedBrowserSerializer(many=True),
        "The trusted browsers.",
        {"A trusted browser": ex.TRUSTED_BROWSER},
        SIGNED_IN_REFUSALS,
    ),
)
trusted_browser_delete = operation(
    "trusted_browser_forget",
    "trusted-browsers",
    "Forget a trusted browser",
    "Its next password sign-in asks for a code again; forgetting the request's own "
    "browser also deletes its cookie.",
    responses(
        204,
        None,
        "Forgotten.",
        {},
        UNSAFE,
        SIGNED_IN_REFUSALS,
        {404: {"Not yours": ex.NOT_FOUND}},
    ),
)
