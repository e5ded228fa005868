"""edusim: an agent-based simulator of group-based schooling reform (集团化办学)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("edusim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
