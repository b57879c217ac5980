"""sdist and wheel carry templates, locale catalogs, migrations, py.typed and the README."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

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
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
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
        "django_tyntec2fa/locale/de/LC_MESSAGES/django.po",
    ]:
        assert expected in names, expected
    assert not any(name.startswith("tests/") for name in names)


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
