"""Sphinx configuration of the documentation site (``make docs``; Read the Docs runs it
too, see ``.readthedocs.yaml``). The pages stay Markdown (MyST), readable on GitHub."""

from __future__ import annotations

import sys
from pathlib import Path

import django
from django.conf import settings

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

# autodoc imports the app's modules, and most of them need configured settings.
settings.configure(
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "rest_framework",
        "django_tyntec2fa",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    USE_TZ=True,
)
django.setup()

import django_tyntec2fa  # noqa: E402  (after django.setup())

project = "django-tyntec2fa"
author = "django-tyntec2fa developers"
copyright = "django-tyntec2fa developers"
release = django_tyntec2fa.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinxcontrib.mermaid",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_vendor"]
# A fence without a language is plain text, as on GitHub (Sphinx would guess Python).
highlight_language = "none"

# The ```mermaid blocks GitHub renders are Sphinx directives here, unchanged.
myst_fence_as_directive = ["mermaid"]
# Links such as settings.md#system-checks resolve to the heading's anchor.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]
# A link to a page or a heading that does not exist is a warning, and -W makes it fatal.
nitpicky = False

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

html_theme = "furo"
html_title = f"django-tyntec2fa {release}"
html_static_path: list[str] = []

# The diagrams are drawn in the browser by mermaid.js. `make docs` fetches the pinned
# release from the npm registry into docs/_vendor/ and the site serves that copy; without
# it (Read the Docs) the page loads the same version from a CDN.
mermaid_version = "11.12.1"
if (DOCS / "_vendor" / "mermaid" / "mermaid.esm.min.mjs").exists():
    html_static_path.append("_vendor")
    mermaid_use_local = "mermaid/mermaid.esm.min.mjs"
