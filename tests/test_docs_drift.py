"""The README and the guides say what main is and does (issue 23.21): the version in the
status paragraph, every feature page in the documentation list, where a new project's
mail goes on the installed Django, the drivers PostgreSQL and Redis need, and no section
about development versions nobody runs."""

from __future__ import annotations

import re
from pathlib import Path

import django

import django_tyntec2fa

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _section(markdown: str, heading: str) -> str:
    """The text under ``## heading`` up to the next ``## ``."""
    return markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_status_names_the_version_and_what_is_there() -> None:
    status = re.search(r"^> \*\*Status:.*?(?=\n\n)", _read(ROOT / "README.md"), re.M | re.S)
    assert status, "README.md has no status paragraph"
    text = " ".join(status.group(0).replace(">", " ").split())
    assert django_tyntec2fa.__version__ in text
    for feature in (
        "recovery codes",
        "trusted browsers",
        "delivery status",
        "tyntec2fa_application",
    ):
        assert feature in text, feature


def test_the_readme_lists_every_guide() -> None:
    listed = set(
        re.findall(r"\(docs/([\w-]+\.md)", _section(_read(ROOT / "README.md"), "Documentation"))
    )
    pages = {path.name for path in DOCS.glob("*.md")} - {"index.md", "changelog.md"}
    assert pages - listed == set()


def test_installation_says_where_the_installed_djangos_new_project_sends_mail() -> None:
    """The bullet for the running Django names the backend its ``startproject`` leaves a
    new project with: the console ``MAILERS`` entry it writes (6.1 on), or the global
    default, SMTP."""
    template = Path(django.__file__).parent / "conf" / "project_template" / "project_name"
    written = _read(template / "settings.py-tpl")
    version = f"{django.VERSION[0]}.{django.VERSION[1]}"
    bullets = re.findall(
        r"^- \*\*(Django [^*]+)\*\*:(.*?)(?=\n- |\n\n)",
        _read(DOCS / "installation.md"),
        re.M | re.S,
    )
    mine = [text for versions, text in bullets if re.search(rf"\b{re.escape(version)}\b", versions)]
    assert len(mine) == 1, (version, [versions for versions, _text in bullets])
    if "MAILERS" in written:
        assert "console.EmailBackend" in written
        assert "MAILERS" in mine[0] and "console" in mine[0]
    else:
        from django.conf import global_settings

        assert global_settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")
        assert "SMTP" in mine[0] and "MAILERS" not in mine[0]


def test_settings_md_has_no_section_about_development_versions() -> None:
    settings = _read(DOCS / "settings.md")
    assert "Renamed ids" not in settings
    assert "development versions" not in settings


def test_the_guides_name_the_drivers() -> None:
    for page in ("installation.md", "deployment.md"):
        text = _read(DOCS / page)
        assert "`psycopg`" in text and "`redis`" in text, page
