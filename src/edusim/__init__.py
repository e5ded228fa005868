"""edusim: an agent-based simulator of group-based schooling reform (集团化办学)."""

from functools import cache
from importlib import import_module

_EXPERIMENT_API = ("compare", "evaluate", "run_experiment")
_LOADING_API = ("load_experiment", "load_run")
_MODEL_API = {"EduModel": "edusim.model", "run_scenario": "edusim.results"}

__all__ = ["__version__", *_EXPERIMENT_API, *_LOADING_API, *_MODEL_API]


@cache
def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("edusim")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0.0.0+unknown"


def __getattr__(name: str) -> object:
    """The version, the model and the experiment API on first use, so `import edusim` stays
    light (`importlib.metadata` alone costs about 60 ms, which `edusim --help` does not
    need; the model brings Mesa, numba and pandas)."""
    if name == "__version__":
        return _installed_version()
    if name in _EXPERIMENT_API:
        return getattr(import_module("edusim.experiment"), name)
    if name in _LOADING_API:
        return getattr(import_module("edusim.loading"), name)
    if name in _MODEL_API:
        return getattr(import_module(_MODEL_API[name]), name)
    raise AttributeError(f"module 'edusim' has no attribute {name!r}")
