"""The release files: sdist and wheel carry templates, locale catalogs, migrations,
py.typed and the README; the wheel, installed alone into a fresh virtual environment,
serves a new project (``check``, ``migrate``, its templates and catalogs); the version
number is the one of ``django_tyntec2fa/__init__.py`` everywhere; the metadata names the
matrix that tox.ini tests."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

import django_tyntec2fa
from django_tyntec2fa.exceptions import ProviderUnavailable

from .test_newcomer import development_block

pytestmark = pytest.mark.own_site

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_FILES = [
    "django_tyntec2fa/py.typed",
    "django_tyntec2fa/templates/django_tyntec2fa/base.html",
    "django_tyntec2fa/migrations/0001_initial.py",
    "django_tyntec2fa/locale/de/LC_MESSAGES/django.mo",
    "django_tyntec2fa/locale/fr/LC_MESSAGES/django.mo",
    "django_tyntec2fa/testing/fake_tyntec/__main__.py",
]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it as ``python -m build`` (and ``make dist``)
    does: a wheel built from the working tree would take stale modules from build/."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def test_sdist_contents(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    print("\n".join(sorted(names)))  # the listing the issue asks for, shown with -s
    for expected in [
        *PACKAGE_FILES,
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "SECURITY.md",
        "CONTRIBUTING.md",
        "docs/conf.py",
        "docs/index.md",
        "docs/reference/gates.md",
        "django_tyntec2fa/locale/de/LC_MESSAGES/django.po",
    ]:
        assert expected in names, expected
    assert not any(name.startswith(("tests/", "docs/_build/", "docs/_vendor/")) for name in names)


def test_wheel_contents(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n) for n in names if n.endswith(".dist-info/METADATA"))
    print("\n".join(sorted(names)))
    for expected in PACKAGE_FILES:
        assert expected in names, expected
    assert not any(name.startswith(("tests/", "example_project/")) for name in names)
    # The README is the long description on PyPI.
    assert b"make demo" in metadata


def test_the_wheel_serves_a_new_project_from_a_fresh_venv(
    dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """pip install the wheel (its dependencies from the index), then the project of
    docs/installation.md's development block: ``check`` is clean, ``migrate`` applies
    every migration of the package, and its templates and German catalog load, all from
    the installed wheel, not from this working tree."""
    (wheel,) = dist.glob("*.whl")
    work = tmp_path_factory.mktemp("wheel-project")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TYNTEC2FA_", "DJANGO_", "VIRTUAL_ENV"))
        and key not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH", "PYTHONHOME"}
    }

    def run(*args: str | Path) -> str:
        done = subprocess.run(
            [str(arg) for arg in args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    run(sys.executable, "-m", "venv", work / "venv")
    python = work / "venv" / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheel)
    run(python, "-m", "django", "startproject", "mysite", ".")
    _, files = development_block()
    settings_py = work / "mysite" / "settings.py"
    settings_py.write_text(settings_py.read_text() + "\n" + files["mysite/settings.py"])
    (work / "mysite" / "urls.py").write_text(files["mysite/urls.py"])

    assert "no issues (1 silenced)" in run(python, "manage.py", "check", "--fail-level", "WARNING")
    migrated = run(python, "manage.py", "migrate", "--noinput")
    ours = sorted(path.stem for path in (ROOT / "django_tyntec2fa" / "migrations").glob("0*.py"))
    assert ours
    for name in ours:
        assert f"Applying tyntec2fa.{name}... OK" in migrated, name
    probe = run(
        python,
        "manage.py",
        "shell",
        "-c",
        "import django_tyntec2fa as app\n"
        "from django.template.loader import get_template\n"
        "from django.utils import translation\n"
        "from django_tyntec2fa.exceptions import ProviderUnavailable\n"
        "get_template('django_tyntec2fa/base.html')\n"
        "translation.activate('de')\n"
        "print('probe:', app.__file__, app.__version__, str(ProviderUnavailable().message))",
    )
    # The shell prints its own lines too (Django 5.2+: the objects it imported).
    location, version, german = probe.split("probe: ", 1)[1].split(maxsplit=2)
    assert Path(location).is_relative_to(work / "venv"), location
    assert version == django_tyntec2fa.__version__
    with translation.override("en"):
        english = str(ProviderUnavailable().message)
    assert german.strip() and german.strip() != english


def _newest_release(changelog: str) -> tuple[str, str]:
    """(version, date) of the first ``## [x.y.z] - YYYY-MM-DD`` heading."""
    found = re.search(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert found, "CHANGELOG.md has no release heading"
    return found.group(1), found.group(2)


def _unreleased(changelog: str) -> str:
    """The entries under ``## [Unreleased]``, up to the newest release."""
    assert "## [Unreleased]" in changelog
    section = changelog.split("## [Unreleased]", 1)[1]
    return re.split(r"^## \[\d", section, maxsplit=1, flags=re.M)[0]


def test_one_version_number(dist: Path) -> None:
    """``__version__`` is the only place: the built files and the documentation site
    carry it, and it agrees with the changelog (``test_the_version_follows_the_changelog``)."""
    version = django_tyntec2fa.__version__
    assert (dist / f"django_tyntec2fa-{version}.tar.gz").exists(), sorted(dist.iterdir())
    assert list(dist.glob(f"django_tyntec2fa-{version}-py3-none-any.whl"))
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    assert config["metadata"]["version"] == "attr: django_tyntec2fa.__version__"
    conf_py = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    assert "release = django_tyntec2fa.__version__" in conf_py


def test_the_version_follows_the_changelog() -> None:
    """A release carries the version of the changelog's newest release heading and
    nothing under "Unreleased"; while "Unreleased" lists changes, main builds as a
    ``.dev`` of a later version, never as the release it has moved past (issue 23.21)."""
    from packaging.version import Version

    version = Version(django_tyntec2fa.__version__)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = Version(_newest_release(changelog)[0])
    if re.search(r"^- ", _unreleased(changelog), re.M):
        assert version.is_devrelease and version > released, (version, released)
    else:
        assert version == released, (version, released)


def test_the_metadata_names_the_tested_matrix() -> None:
    """The classifiers list exactly the Pythons and Djangos of tox.ini's envlist, and
    ``python_requires`` starts at its oldest Python."""
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    envlist = tox.split("envlist =", 1)[1].split("\n[", 1)[0]
    cells: set[tuple[str, str]] = set()
    for line in envlist.split():
        if match := re.fullmatch(r"py(\d)(\d+)-django(?:\{([\d,]+)\}|(\d+))", line):
            for django in (match.group(3) or match.group(4)).split(","):
                cells.add((f"{match.group(1)}.{match.group(2)}", f"{django[0]}.{django[1:]}"))
    pythons = {python for python, _ in cells}
    djangos = {django for _, django in cells}
    assert len(cells) == 7, cells
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    classifiers = [line for line in config["metadata"]["classifiers"].split("\n") if line]
    assert {
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if c.startswith("Programming Language :: Python :: 3.")
    } == pythons
    assert {
        c.rsplit(" :: ", 1)[1] for c in classifiers if c.startswith("Framework :: Django :: ")
    } == djangos
    oldest = min(pythons, key=lambda v: tuple(map(int, v.split("."))))
    assert config["options"]["python_requires"] == f">={oldest}"
    # The newest cell, also run by `make test-newest` in CI, is the newest of both.
    newest = max(cells, key=lambda c: [tuple(map(int, v.split("."))) for v in c])
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"versions/{newest[0]}*/bin/python{newest[0]}" in makefile
    assert f"NEWEST_DJANGO := Django>={newest[1]}," in makefile
