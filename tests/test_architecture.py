"""The architecture holds: front ends do not import each other, vocabularies are
types, and docs/architecture.md names only what exists."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "django_tyntec2fa"
DOC = ROOT / "docs" / "architecture.md"


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, resolved to ``django_tyntec2fa.…`` names."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def test_the_api_imports_nothing_from_the_html_views() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports(path) if name.startswith("django_tyntec2fa.views")
        )
        for path in _modules("api")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


@pytest.mark.parametrize("folder", ["admin", "management"])
def test_operator_front_ends_do_not_import_the_html_views_or_the_api(folder: str) -> None:
    for path in _modules(folder):
        names = _imports(path)
        assert not any(name.startswith("django_tyntec2fa.views") for name in names), path
        assert not any(name.startswith("django_tyntec2fa.api") for name in names), path


def test_a_purpose_is_never_compared_as_a_string() -> None:
    """``Purpose`` (choices.py) is the one place its values are spelt."""
    pattern = re.compile(
        r"""[!=]=\s*["'](login|enroll|step_up)["']|["'](login|enroll|step_up)["']\s*[!=]="""
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_one_channel_vocabulary() -> None:
    """Models, providers and the abuse defences share ``choices.Channel``."""
    from django_tyntec2fa import choices
    from django_tyntec2fa.models import PhoneDevice
    from django_tyntec2fa.providers import Channel

    assert Channel is choices.Channel
    assert PhoneDevice.Channel is choices.Channel
    definitions = [
        path.relative_to(ROOT)
        for path in PACKAGE.rglob("*.py")
        if re.search(r"^\s*class Channel\b", path.read_text(), re.M)
    ]
    assert definitions == [Path("django_tyntec2fa/choices.py")]


def test_every_path_the_architecture_doc_names_exists() -> None:
    text = DOC.read_text()
    named = set(re.findall(r"`([a-z_/]+(?:\.py|/))`", text))
    named |= {
        f"{folder}{name}"
        for folder, names in re.findall(r"^  ([a-z_]+/)\s+(.*)$", text, re.M)
        for name in re.findall(r"\b([a-z_]+\.py)\b", names)
    }
    assert named, "the doc names no module"
    missing = sorted(
        name
        for name in named
        if not (PACKAGE / name).exists()
        and not (ROOT / name).exists()
        and not any(PACKAGE.rglob(name))
    )
    assert missing == []


def test_every_flow_the_architecture_doc_names_exists() -> None:
    from django_tyntec2fa import flows

    named = set(re.findall(r"`flows\.([a-z_]+)`", DOC.read_text()))
    assert named
    assert sorted(name for name in named if not hasattr(flows, name)) == []


def _rule_table() -> dict[str, str]:
    """docs/architecture.md's "Where each rule lives": question -> the dotted path."""
    parts = DOC.read_text(encoding="utf-8").split("## Where each rule lives", 1)
    section = parts[1].split("\n## ", 1)[0] if len(parts) == 2 else ""
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("question", "") or set(cells[0]) <= {"-"}:
            continue
        names = re.findall(r"`([\w.]+)`", cells[1])
        assert len(names) == 1, f"one function per question: {line}"
        rows[cells[0]] = names[0]
    return rows


def test_the_rule_table_names_the_questions_of_issue_22() -> None:
    questions = " ".join(_rule_table())
    for words in (
        "who owes a second factor",
        "fresh second factor",
        "tries left, waits and the lock",
        "which numbers may receive a code",
        "on which channel",
        "trusted browser is honoured",
        "what ends a trusted browser",
    ):
        assert words in questions, words


@pytest.mark.parametrize("question", list(_rule_table()))
def test_every_function_the_rule_table_names_exists(question: str) -> None:
    """Each row names one function by its dotted path; it imports and is callable."""
    dotted = _rule_table()[question]
    assert dotted.startswith("django_tyntec2fa."), dotted
    module_name, _dot, name = dotted.rpartition(".")
    function = getattr(importlib.import_module(module_name), name, None)
    assert callable(function), f"{question}: {dotted} does not exist"


# --- The package's layout and the direction of its imports (issue 22.4) -----------------


def _doc_tree() -> str:
    """The package tree of docs/architecture.md ("## The package")."""
    text = DOC.read_text().split("## The package", 1)[1]
    return text.split("```\n", 2)[1]


def test_the_root_of_the_package_is_the_one_the_architecture_doc_lists() -> None:
    """At the root only what Django expects there, the vocabulary and one package per
    part; a new root module is a decision for docs/architecture.md first."""
    listed = set(re.findall(r"^  (\S+)", _doc_tree(), re.M))
    present = {
        f"{path.name}/" if path.is_dir() else path.name
        for path in PACKAGE.iterdir()
        if (path.is_dir() and path.name != "__pycache__") or path.suffix == ".py"
    }
    assert sorted(present) == sorted(listed)


#: The layers, top to bottom (docs/architecture.md, "The layers and their rules"): a
#: module may import its own layer and the layers below it. The longest prefix decides.
#: Outside the layers: apps, checks and urls (they wire the layers together), testing/,
#: migrations/ and the package's __init__ (the old import paths).
LAYERS = {
    "views": 5,
    "api": 5,
    "admin": 5,
    "management": 5,
    "contrib": 5,
    "gate": 4,
    "factors": 4,
    "flows": 3,
    "core": 3,
    "abuse": 2,
    "providers": 2,
    "models": 1,
    "conf": 0,
    "exceptions": 0,
    "signals": 0,
    "choices": 0,
    # What a number is and how it is shown: the models store numbers normalised and
    # show them masked, so these two are vocabulary, however abuse/ uses them most.
    "abuse.phone": 0,
    "abuse.masking": 0,
}

#: Imports that still run back up, each with what must change before it can go; the
#: test fails when a new one appears and when one of these is gone (then delete it here).
UPWARD = {
    # The abuse defences and the breaker write their own audit events (a refused send, a
    # conversion block, the breaker opening), and core/audit.py sits in the core because
    # it reads the client's address from abuse.ratelimits and masks with the providers'
    # helper. To run one way: audit.py (a writer of models.AuditEvent rows) moves below
    # abuse/ and providers/, with client_ip moved out of abuse/ratelimits.py into it.
    ("abuse/conversion.py", "django_tyntec2fa.core.audit"),
    ("abuse/guard.py", "django_tyntec2fa.core.audit"),
    ("providers/tyntec/breaker.py", "django_tyntec2fa.core.audit"),
}


def _layer(module: str) -> int | None:
    package, *parts = module.split(".")
    if package != PACKAGE.name:
        return None
    for end in range(len(parts), 0, -1):
        found = LAYERS.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _upward_imports() -> set[tuple[str, str]]:
    """(importing file, imported module) for every import that runs back up."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        own = _layer(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if own is None:
            continue
        # ``from ..core import audit`` names ``core`` and ``core.audit``: keep the module.
        modules = {name for name in _imports(path) if _is_module(name)}
        for name in modules:
            layer = _layer(name)
            if layer is not None and layer > own:
                if not any(other.startswith(f"{name}.") for other in modules):
                    found.add((str(path.relative_to(PACKAGE)), name))
    return found


def test_imports_run_one_way() -> None:
    """Front ends -> gate/ (and the factors) -> the core (flows/, core/) -> abuse/ and
    providers/ -> models/ -> conf, exceptions, signals, choices."""
    assert sorted(_upward_imports()) == sorted(UPWARD)


def test_the_layers_name_every_package_of_the_doc() -> None:
    """Every folder the architecture doc lists sits in a layer or is wiring."""
    wiring = {"migrations", "templates", "locale", "testing"}
    folders = set(re.findall(r"^  ([a-z_]+)/", _doc_tree(), re.M))
    assert sorted(folders - set(LAYERS) - wiring) == []
