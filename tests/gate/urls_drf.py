"""The test project's URLs plus a project's own DRF views (issue 23.19): an
``APIView``, an ``@api_view`` function and a viewset, none of them the app's API."""

from __future__ import annotations

from typing import Any

from django.urls import path
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..urls import urlpatterns as project_urlpatterns


class Items(APIView):
    def get(self, request: Request) -> Response:
        return Response({"items": []})


@api_view(["GET", "POST"])
def items_function(request: Request) -> Response:
    return Response({"items": []})


class ItemViewSet(viewsets.ViewSet):
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"items": []})


urlpatterns = [
    *project_urlpatterns,
    path("drf/apiview/", Items.as_view(), name="drf-apiview"),
    path("drf/function/", items_function, name="drf-function"),
    path("drf/viewset/", ItemViewSet.as_view({"get": "list"}), name="drf-viewset"),
]
