"""The German and French catalogs are complete, compiled from their .po files, and used."""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from django_tyntec2fa.exceptions import ProviderUnavailable

LOCALE = Path(__file__).resolve().parent.parent / "django_tyntec2fa" / "locale"
LANGUAGES = ["de", "fr"]


def _unquote(lines: str) -> str:
    return "".join(json.loads(line) for line in lines.split("\n") if line.strip())


def po_entries(path: Path) -> dict[tuple[str | None, str, str | None], str]:
    """(msgctxt, msgid, msgid_plural) -> first msgstr of a .po file (enough to compare
    with the .mo)."""
    return parse_po(path.read_text(encoding="utf-8"))


def parse_po(text: str) -> dict[tuple[str | None, str, str | None], str]:
    """``po_entries`` of the text of a .po file or of some of its entries."""
    entries: dict[tuple[str | None, str, str | None], str] = {}
    for block in text.split("\n\n"):
        context = re.search(r'^msgctxt ((?:".*"\n?)+)', block, re.M)
        ids = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        plural = re.search(r'^msgid_plural ((?:".*"\n?)+)', block, re.M)
        strs = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if ids and strs and (msgid := _unquote(ids.group(1))):
            key = (
                _unquote(context.group(1)) if context else None,
                msgid,
                _unquote(plural.group(1)) if plural else None,
            )
            entries[key] = _unquote(strs.group(1))
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    entries = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert entries
    assert [key for key, msgstr in entries.items() if not msgstr] == []
    assert "#, fuzzy" not in (LOCALE / language / "LC_MESSAGES" / "django.po").read_text("utf-8")


def test_every_string_of_the_source_is_in_the_catalogs(tmp_path: Path) -> None:
    """makemessages over a copy of the package finds no string that a catalog lacks:
    a new string without its translation fails here, not in front of a user."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext's xgettext is not installed (Debian: gettext)")
    copy = tmp_path / "django_tyntec2fa"
    shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    languages = [arg for language in LANGUAGES for arg in ("-l", language)]
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", *languages, "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": ""},
    )
    for language in LANGUAGES:
        path = copy / "locale" / language / "LC_MESSAGES" / "django.po"
        text = path.read_text("utf-8")
        missing = [key for key, msgstr in parse_po(text).items() if not msgstr]
        fuzzy = [block.split("\n")[-1] for block in text.split("\n\n") if "#, fuzzy" in block]
        assert missing == [] and fuzzy == [], (language, missing, fuzzy)


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_is_compiled_from_the_po(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for (context, msgid, plural), msgstr in po_entries(folder / "django.po").items():
        if context:
            compiled = (
                catalog.npgettext(context, msgid, plural, 1)
                if plural
                else catalog.pgettext(context, msgid)
            )
        else:
            compiled = catalog.ngettext(msgid, plural, 1) if plural else catalog.gettext(msgid)
        assert compiled == msgstr, msgid


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("de", "nicht erreichbar"), ("fr", "indisponible"), ("en", "unavailable")],
)
def test_errors_speak_the_active_language(language: str, fragment: str) -> None:
    with translation.override(language):
        assert fragment in str(ProviderUnavailable().message)


def _page_strings(path: Path) -> dict[tuple[str, str | None], str]:
    """(msgid, msgid_plural) -> msgstr of the entries without a context that the HTML
    pages use (templates, views, forms, errors, flows)."""
    pages = ("templates/django_tyntec2fa/", "views/", "forms.py", "exceptions.py", "flows/")
    found: dict[tuple[str, str | None], str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        references = " ".join(re.findall(r"^#: (.*)$", block, re.M)).split()
        if "msgctxt" in block or not any(ref.startswith(pages) for ref in references):
            continue
        for (_context, msgid, plural), msgstr in parse_po(block).items():
            found[(msgid, plural)] = msgstr
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_other_catalog_replaces_a_string_of_the_pages(language: str) -> None:
    """Django merges every app's catalog and the app listed first wins, so a project
    with the admin before this app would show the admin's "Enlever" for our "Remove"
    (and announce our own "Supprimer"). A string of the pages that Django or DRF also
    translates, differently, must carry the context "tyntec2fa" (pgettext)."""
    import django
    import rest_framework

    others = []
    for package in (django, rest_framework):
        root = Path(package.__file__).parent
        for mo in root.glob(f"**/locale/{language}/LC_MESSAGES/django.mo"):
            with mo.open("rb") as handle:
                others.append((mo, gettext.GNUTranslations(handle)))
    assert others
    ours = _page_strings(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert ("That code is not valid. Check the code and try again.", None) in ours
    clashes = []
    for (msgid, plural), msgstr in ours.items():
        for mo, catalog in others:
            theirs = catalog.ngettext(msgid, plural, 1) if plural else catalog.gettext(msgid)
            if theirs not in (msgid, msgstr):
                clashes.append((msgid, msgstr, theirs, mo.parent.parent.parent.parent.name))
    assert clashes == []
