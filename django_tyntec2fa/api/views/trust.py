"""The user's trusted browsers (S9): list them, forget one. ``flows.trust`` owns the
rules; another user's browser id is a 404 and changes nothing."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ...flows import trust
from .. import openapi
from ..serializers import TrustedBrowserSerializer
from .base import ApiView


class TrustedBrowserListView(ApiView):
    """The signed-in user's trusted browsers that still hold, newest first."""

    @openapi.trusted_browser_list
    def get(self, request: Request) -> Response:
        """``current`` marks the browser this request comes from."""
        browsers = trust.browsers(request.user)
        context = {"current": trust.current_id(request._request)}
        return Response(TrustedBrowserSerializer(browsers, many=True, context=context).data)


class TrustedBrowserDetailView(ApiView):
    """One of the user's trusted browsers."""

    @openapi.trusted_browser_delete
    def delete(self, request: Request, pk: int) -> Response:
        """``flows.trust.forget``: its next sign-in asks for a code; its cookie goes
        when it is this browser."""
        http = request._request
        if not trust.forget(http, request.user, pk):
            raise NotFound()  # unknown and someone else's look the same
        return trust.update_cookie(http, Response(status=204))


class UnknownTrustedBrowserView(ApiView):
    """An id that is not a number: the API's 404 in its error shape (not in the schema)."""

    schema = None

    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """404 ``not_found`` for whoever may see trusted browsers at all."""
        raise NotFound()

    get = delete
