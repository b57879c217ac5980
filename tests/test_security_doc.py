"""docs/security.md stays true: every requirement id has a row, and every test the
table names exists (a renamed or deleted test fails here, not silently in the doc)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
IDS = (
    [f"G{n}" for n in range(1, 9)]
    + [f"L{n}" for n in range(1, 10)]
    + [f"P{n}" for n in range(1, 10)]
    + [f"S{n}" for n in range(1, 12)]
    + [f"E{n}" for n in range(1, 8)]
    + ["U1", "U2"]
    + [f"R{n}" for n in range(1, 7)]
)
CITED = re.compile(r"`(tests/[\w/]+\.py)::((?:\w+::)?\w+)`")


def table_rows() -> dict[str, str]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 2 and cells[1] in IDS:
            rows[cells[1]] = line
    return rows


def defined_tests(path: Path) -> set[str]:
    """``name`` and ``Class::name`` of every test function in ``path``."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names |= {
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            }
    return names


def test_every_requirement_id_has_a_row_with_a_status() -> None:
    rows = table_rows()
    assert sorted(rows) == sorted(IDS)
    statuses = ("done", "partial", "integrator", "not offered")
    assert all(any(s in row.rsplit("|", 2)[-2] for s in statuses) for row in rows.values())


def test_every_cited_test_exists() -> None:
    cited = CITED.findall(DOC.read_text(encoding="utf-8"))
    assert len(cited) > 50
    missing = [
        f"{file}::{name}"
        for file, name in cited
        if not (ROOT / file).exists() or name not in defined_tests(ROOT / file)
    ]
    assert missing == []
