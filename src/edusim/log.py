"""Diagnostics through `logging`: the package logs to the "edusim" logger and leaves
showing it to the application (a NullHandler, as libraries should). The command line
shows warnings by default, more with `-v` (info) and `-vv` (debug, tracebacks of
unexpected failures), fewer with `-q` (errors only). Results, tables and progress bars
are output, not diagnostics, and are printed as before."""

from __future__ import annotations

import logging
import sys

LOGGER = logging.getLogger("edusim")
LOGGER.addHandler(logging.NullHandler())


class _CliFormatter(logging.Formatter):
    """`edusim: warning: message` (info lines without the level)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.levelno == logging.INFO:
            return f"edusim: {text}"
        return f"edusim: {record.levelname.lower()}: {text}"


def verbosity_level(verbosity: int) -> int:
    """Logging level for `-v` counted positive and `-q` negative (0: warnings)."""
    return {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
        max(-1, min(verbosity, 2)), logging.DEBUG
    )


def configure_cli_logging(verbosity: int) -> None:
    """Show the edusim logger's records on stderr at the level `verbosity` asks for
    (replaces a handler an earlier call installed, so tests may call it repeatedly)."""
    for handler in list(LOGGER.handlers):
        if getattr(handler, "edusim_cli", False):
            LOGGER.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.edusim_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(_CliFormatter("%(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(verbosity_level(verbosity))
    LOGGER.propagate = False
