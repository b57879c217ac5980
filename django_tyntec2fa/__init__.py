"""django-tyntec2fa: an SMS / voice one-time-password second factor for Django."""

from __future__ import annotations

import importlib
import sys
import warnings
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

# Between releases main carries the next version's .dev0 (CONTRIBUTING.md, "A release"):
# a build of main is never mistaken for the release before it.
__version__ = "0.2.0.dev0"

#: The documented import paths that moved (issue 22.4), old -> new. They keep working
#: through 0.x: a name read from the old module warns with a ``DeprecationWarning`` that
#: names its new path. No file stays at an old path, so git follows each moved file.
MOVED = {
    "django_tyntec2fa.middleware": "django_tyntec2fa.gate.middleware",
    "django_tyntec2fa.decorators": "django_tyntec2fa.gate.decorators",
    "django_tyntec2fa.mixins": "django_tyntec2fa.gate.mixins",
    # TYNTEC2FA_REQUIRED = "django_tyntec2fa.policy.staff_required" (or .all_users)
    "django_tyntec2fa.policy": "django_tyntec2fa.core.policy",
}


class _MovedModules(MetaPathFinder, Loader):
    """Finds the old paths of ``MOVED``; first, so that no other copy of the package
    on the path (an editable install of another checkout) answers for them."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        return ModuleSpec(fullname, self) if fullname in MOVED else None

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # the default module

    def exec_module(self, module: ModuleType) -> None:
        old, new = module.__name__, MOVED[module.__name__]

        def __getattr__(name: str) -> Any:
            if name.startswith("__"):  # ``__file__`` and the like: tools scan sys.modules
                raise AttributeError(name)
            value = getattr(importlib.import_module(new), name)
            warnings.warn(
                f"{old}.{name} moved to {new}.{name}; the old path goes away in 1.0.",
                DeprecationWarning,
                stacklevel=2,
            )
            return value

        module.__doc__ = f"Moved to ``{new}``; this path warns (``DeprecationWarning``)."
        module.__getattr__ = __getattr__  # type: ignore[method-assign]


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.insert(0, _MovedModules())
