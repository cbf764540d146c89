"""A package's re-exported names loaded on first use (PEP 562), so `import hyposti.x` stays light.

The command line must start instantly; a package `__init__` that re-exports its modules' names
would otherwise import scipy, pandas or pydantic models for every command that touches it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, sources: dict[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package``.

    ``sources`` maps each exported name to the submodule defining it; a name is imported once,
    on first access, and then kept in ``namespace`` (the package's globals).
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module-level hook's own name
        if name not in sources:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{sources[name]}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
