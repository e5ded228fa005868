"""Where a result came from: the edusim version, the git commit of its source and hashes
of its code, recorded in every run manifest and checked by Dask workers.

Two hashes, both over the package's `.py` files (path and content, in path order):
`code_hash` covers every file; `model_hash` leaves out the parts that do not shape a
run's tables (`OUTSIDE_THE_MODEL`: plotting, reporting, the experiment runner, the
command line, the planner, the browser view), so an experiment keeps its stored runs
when only those change.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from edusim import __version__

PACKAGE_DIR = Path(__file__).resolve().parent

HASH_LENGTH = 24
"""Hex digits kept (96 bits: collisions are not a concern)."""

OUTSIDE_THE_MODEL: tuple[str, ...] = (
    "experiment",
    "plots",
    "report",
    "cli",
    "validation",
    "planning",
    "explore",
    "__main__.py",
)
"""Parts of the package that do not shape a run's tables (left out of the model hash)."""


def source_hash(package: Path, leave_out: Iterable[str] = ()) -> str:
    """SHA-256 of the `.py` files under `package` (relative path and bytes of each, in
    path order), skipping files whose first path part is in `leave_out`."""
    skipped = set(leave_out)
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in skipped:
            continue
        digest.update(relative.as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()[:HASH_LENGTH]


@functools.cache
def code_hash() -> str:
    """Hash of every `.py` file of the installed edusim package."""
    return source_hash(PACKAGE_DIR)


@functools.cache
def model_hash() -> str:
    """Hash of the simulator's code (the package less `OUTSIDE_THE_MODEL`): equal hashes
    give equal tables for equal scenarios and seeds."""
    return source_hash(PACKAGE_DIR, OUTSIDE_THE_MODEL)


def _git(*arguments: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(PACKAGE_DIR), *arguments],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def commit_from_version(version: str) -> str | None:
    """The abbreviated commit setuptools-scm writes into versions built off a tag
    (`0.1.1.dev3+g1a2b3c4`), or None (a tagged release names no commit)."""
    found = re.search(r"\+g([0-9a-f]{7,40})", version)
    return found.group(1) if found else None


@functools.cache
def source_commit() -> dict[str, Any]:
    """The commit the running code comes from: read from git when the package is imported
    from a checkout (with `dirty` if files differ from it), else from the version string
    of an installed build; `commit` is None when neither tells."""
    inside = _git("rev-parse", "--show-toplevel")
    if inside is not None and PACKAGE_DIR.is_relative_to(Path(inside).resolve()):
        commit = _git("rev-parse", "HEAD")
        status = _git("status", "--porcelain", "--untracked-files=no", "--", str(PACKAGE_DIR))
        if commit is not None:
            return {"commit": commit, "dirty": bool(status), "from": "git checkout"}
    commit = commit_from_version(__version__)
    return {"commit": commit, "dirty": None, "from": "version" if commit else None}


def provenance() -> dict[str, Any]:
    """The manifest's record of the code: version, commit and both hashes."""
    return {
        "edusim_version": __version__,
        **source_commit(),
        "code_hash": code_hash(),
        "model_hash": model_hash(),
    }
