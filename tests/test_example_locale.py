"""The example project's own catalogs (example/locale) are complete and compiled: its
home, protected, sensitive and outbox pages speak German and French too (issue 23.17)."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .example_site import EXAMPLE
from .test_locale import parse_po, po_entries

APP = EXAMPLE / "example"
LANGUAGES = ["de", "fr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_demo_catalog_is_translated_and_compiled(language: str) -> None:
    folder = APP / "locale" / language / "LC_MESSAGES"
    entries = po_entries(folder / "django.po")
    assert [key for key, msgstr in entries.items() if not msgstr] == []
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for (_context, msgid, _plural), msgstr in entries.items():
        assert compiled.gettext(msgid) == msgstr, msgid


def test_every_string_of_the_demo_is_in_its_catalogs(tmp_path: Path) -> None:
    """makemessages over a copy of the demo's app finds no string its catalogs lack."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext's xgettext is not installed (Debian: gettext)")
    copy = tmp_path / "example"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__"))
    languages = [arg for language in LANGUAGES for arg in ("-l", language)]
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", *languages, "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": ""},
    )
    for language in LANGUAGES:
        text = (copy / "locale" / language / "LC_MESSAGES" / "django.po").read_text("utf-8")
        missing = [key for key, msgstr in parse_po(text).items() if not msgstr]
        fuzzy = [block.split("\n")[-1] for block in text.split("\n\n") if "#, fuzzy" in block]
        assert missing == [] and fuzzy == [], (language, missing, fuzzy)
