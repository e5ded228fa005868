"""edusim: an agent-based simulator of group-based schooling reform (集团化办学)."""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("edusim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

_EXPERIMENT_API = ("compare", "evaluate", "run_experiment")
_LOADING_API = ("load_experiment", "load_run")

__all__ = ["__version__", *_EXPERIMENT_API, *_LOADING_API]


def __getattr__(name: str) -> Any:
    """Import the experiment API on first use, so `import edusim` stays light."""
    if name in _EXPERIMENT_API:
        return getattr(import_module("edusim.experiment"), name)
    if name in _LOADING_API:
        return getattr(import_module("edusim.loading"), name)
    raise AttributeError(f"module 'edusim' has no attribute {name!r}")
