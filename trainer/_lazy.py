"""Lazy package attributes (PEP 562), so a command that needs no maths starts fast.

A package ``__init__`` lists which submodule defines each public name and imports
nothing at start-up; the first access to ``package.name`` (or ``from package import
name``) imports that submodule and caches the value in the package. Importing
:mod:`trainer.scoring` therefore no longer pulls in SciPy's signal module and the numba
kernels; only code that uses them does. Type checkers read the real imports from the
package's ``if TYPE_CHECKING:`` block.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["attach"]


def attach(
    package: str, names_by_module: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return a package's ``__getattr__`` and ``__dir__`` for lazily imported names.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names_by_module : mapping of str to tuple of str
        Module (absolute name) → the public names it defines.

    Returns
    -------
    tuple of callable
        ``(__getattr__, __dir__)``, to assign at the package's top level.
    """
    where = {name: module for module, names in names_by_module.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later accesses skip this hook
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
