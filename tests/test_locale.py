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


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> first msgstr of a .po file (enough to compare with the .mo)."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        ids = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        strs = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if ids and strs and (msgid := _unquote(ids.group(1))):
            entries[msgid] = _unquote(strs.group(1))
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    entries = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert entries
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_is_compiled_from_the_po(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for msgid in po_entries(folder / "django.po"):
        assert catalog.gettext(msgid) != msgid or msgid.startswith("{") or msgid == "SMS", msgid


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("de", "nicht erreichbar"), ("fr", "indisponible"), ("en", "unavailable")],
)
def test_errors_speak_the_active_language(language: str, fragment: str) -> None:
    with translation.override(language):
        assert fragment in str(ProviderUnavailable().message)
