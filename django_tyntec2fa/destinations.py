"""Kept for the import path the docs give (``django_tyntec2fa.destinations.LookupResult``);
the destination policy lives in ``django_tyntec2fa.abuse.destinations``."""

from .abuse.destinations import LookupResult

__all__ = ["LookupResult"]
