"""The documentation site (``make docs``) stays whole: the quick start's code is the
development block's of docs/installation.md, and the API reference documents every
public module the issue of the site names. The build itself, warnings as errors, runs in
CI (``.ci/run``: ``make docs``)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PUBLIC_MODULES = [
    "django_tyntec2fa.gate.decorators",
    "django_tyntec2fa.gate.mixins",
    "django_tyntec2fa.gate.middleware",
    "django_tyntec2fa.providers.base",
    "django_tyntec2fa.providers.tyntec.client",
    "django_tyntec2fa.providers.local",
    "django_tyntec2fa.exceptions",
    "django_tyntec2fa.signals",
    "django_tyntec2fa.conf",
    "django_tyntec2fa.testing",
    "django_tyntec2fa.testing.fake_tyntec",
    "django_tyntec2fa.management.commands.tyntec2fa_cleanup",
    "django_tyntec2fa.management.commands.tyntec2fa_status",
    "django_tyntec2fa.management.commands.tyntec2fa_disable",
]


def _python_blocks(path: Path) -> dict[str, str]:
    """The ```python blocks of a page (indented ones in a list too), by their first-line
    comment (``# mysite/...``)."""
    text = path.read_text(encoding="utf-8")
    blocks = [
        textwrap.dedent(body)
        for _, body in re.findall(r"^( *)```python\n(.*?)^\1```", text, re.M | re.S)
    ]
    return {b.splitlines()[0]: b.strip() for b in blocks if b.startswith("# mysite/")}


def test_the_quick_start_copies_the_development_block() -> None:
    quick = _python_blocks(DOCS / "quickstart.md")
    full = _python_blocks(DOCS / "installation.md")
    assert quick, "docs/quickstart.md has no mysite/ block"
    for name, block in quick.items():
        assert block == full[name], name


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_the_reference_documents_the_module(module: str) -> None:
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "reference").glob("*.md"))
    assert f".. automodule:: {module}\n" in pages, module


def test_every_reference_page_is_in_the_toctree() -> None:
    index = (DOCS / "reference" / "index.md").read_text(encoding="utf-8")
    for page in (DOCS / "reference").glob("*.md"):
        if page.stem != "index":
            assert f"\n{page.stem}\n" in index, page.name
