"""The German and French catalogs are complete, compiled from their .po files, and used."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest
from django.utils import translation

from django_tyntec2fa.exceptions import ProviderUnavailable

LOCALE = Path(__file__).resolve().parent.parent / "django_tyntec2fa" / "locale"
LANGUAGES = ["de", "fr"]


def _unquote(lines: str) -> str:
    return "".join(json.loads(line) for line in lines.split("\n") if line.strip())


def po_entries(path: Path) -> dict[tuple[str, str | None], str]:
    """(msgid, msgid_plural) -> first msgstr of a .po file (enough to compare with the .mo)."""
    entries: dict[tuple[str, str | None], str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        ids = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        plural = re.search(r'^msgid_plural ((?:".*"\n?)+)', block, re.M)
        strs = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if ids and strs and (msgid := _unquote(ids.group(1))):
            key = (msgid, _unquote(plural.group(1)) if plural else None)
            entries[key] = _unquote(strs.group(1))
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    entries = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert entries
    assert [key for key, msgstr in entries.items() if not msgstr] == []
    assert "#, fuzzy" not in (LOCALE / language / "LC_MESSAGES" / "django.po").read_text("utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_is_compiled_from_the_po(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for (msgid, plural), msgstr in po_entries(folder / "django.po").items():
        compiled = catalog.ngettext(msgid, plural, 1) if plural else catalog.gettext(msgid)
        assert compiled == msgstr, msgid


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("de", "nicht erreichbar"), ("fr", "indisponible"), ("en", "unavailable")],
)
def test_errors_speak_the_active_language(language: str, fragment: str) -> None:
    with translation.override(language):
        assert fragment in str(ProviderUnavailable().message)
