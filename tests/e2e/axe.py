"""axe-core in a Playwright page: the violations of impact "serious" or "critical".

The same rules as ``test_pages.py`` (WCAG 2.0-2.2 A/AA plus
``label-content-name-mismatch``), for the demo's own pages and the API documentation
page (issue 23.16, 23.17).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def axe_source() -> str:
    """The pinned axe-core that ``axe-playwright-python`` vendors."""
    axe = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is missing")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def blocking_violations(page: Any, source: str, where: str) -> list[str]:
    """One line per serious or critical violation on ``page`` as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            rules: {"label-content-name-mismatch": {enabled: true}},
            resultTypes: ["violations"],
        })""",
        WCAG_TAGS,
    )
    return [
        f"{where}: {violation['id']} ({violation['impact']}) "
        f"{[node['target'] for node in violation['nodes']]}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


def sideways_overflow(page: Any) -> int:
    """How many pixels the page scrolls sideways (0: it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )
