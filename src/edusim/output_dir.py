"""Claiming an output folder: a run or an experiment writes only where it may.

A folder may be written by an `edusim run` or `edusim experiment` when it is missing or
empty, or when it is the writer's own: an experiment resumes the folder whose marker
file (`.edusim-experiment`) names the same experiment. A finished run's folder, a folder
of another experiment, or a folder holding anything else is refused, so nothing of the
user's is overwritten.

While a writer works, the folder holds a lock file (`.edusim.lock`) with the writer's
process id, host, kind and name. The lock is an advisory `flock` on that file: the
kernel releases it when the process dies however it dies, so a lock whose owner is
gone (SIGKILL, power cut) is recognised as stale and taken over; a live one is refused
with the owner's PID. Where `flock` is unavailable, the recorded PID is checked instead.

Names that become folder names (scenario and experiment `name:`) are made one safe path
component first (`safe_component`), so a name cannot write outside the results root.

Staging folders of a killed writer (`.run.partial-PID`, `.report.partial-PID`) are
removed by the next writer or report once that PID is dead (`remove_dead_partials`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: the recorded PID is the only test of a lock
    fcntl = None  # type: ignore[assignment]

LOCK = ".edusim.lock"
MARKERS: dict[str, str] = {
    "run": ".edusim-run",
    "experiment": ".edusim-experiment",
    "calibration": ".edusim-calibration",
    "plan": ".edusim-plan",
    "province": ".edusim-province",
}
"""The marker file that says which kind of writer owns a folder, by kind."""
MAX_NAME_BYTES = 200
"""Longest folder name made from a scenario or experiment name (file systems allow 255)."""
PARTIAL = re.compile(r"^\.(?P<what>.+)\.partial-(?P<pid>\d+)$")
"""Name of a staging folder: `.<what>.partial-<pid>`."""
UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]")
"""Characters that may not appear in one path component: separators and control codes."""


class OutputFolderError(Exception):
    """The output folder may not be written by this run or experiment (exit 2)."""


def safe_component(name: str, key: str = "name") -> str:
    """`name` as one path component: separators and control characters become `_` and
    leading dots are dropped (so the folder is neither `..` nor hidden).

    Raises OutputFolderError (naming `key`) for a name left empty, or longer than
    MAX_NAME_BYTES in UTF-8."""
    cleaned = UNSAFE.sub("_", name).strip().lstrip(".")  # no leading dot: not hidden
    if not cleaned:
        raise OutputFolderError(
            f"{key}: '{name}' cannot name a results folder; expected a name with at least "
            "one character other than dots, slashes and spaces"
        )
    if len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        raise OutputFolderError(
            f"{key}: '{name[:40]}…' is too long to name a results folder; expected at most "
            f"{MAX_NAME_BYTES} bytes"
        )
    return cleaned


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def remove_dead_partials(
    folder: Path, prefixes: tuple[str, ...] = ("run", "report", "province")
) -> list[Path]:
    """Remove staging folders `.<prefix>….partial-PID` in `folder` whose PID is dead.

    A staging folder of a live process is left alone. Returns what was removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        match = PARTIAL.match(entry.name)
        if match is None or not entry.is_dir() or entry.is_symlink():
            continue
        if not match["what"].startswith(prefixes) or int(match["pid"]) == os.getpid():
            continue
        if not pid_alive(int(match["pid"])):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _lock_is_live(lock: Path) -> bool:
    """Whether some process holds the lock file `lock` (tested without keeping it)."""
    if fcntl is None:
        return _recorded_owner_alive(lock)
    try:
        descriptor = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def remove_abandoned_runs(parent: Path) -> list[Path]:
    """Remove the run folders in `parent` that a killed `edusim run` left unfinished:
    folders holding nothing but a run marker, an unheld lock and dead staging folders.
    Returns what was removed."""
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    leftovers = {LOCK, *MARKERS.values()}
    for folder in parent.iterdir():
        try:
            if folder.is_symlink() or not (folder / MARKERS["run"]).is_file():
                continue
            names = [entry.name for entry in folder.iterdir()]
            partials = [PARTIAL.match(name) for name in names if name not in leftovers]
            if LOCK not in names or not all(partials) or _lock_is_live(folder / LOCK):
                continue
            if any(pid_alive(int(match["pid"])) for match in partials if match is not None):
                continue
        except OSError:  # a folder we may not read is not ours to clean
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The owner recorded in `folder` (kind, name), or None for a folder without a marker."""
    for kind, marker in MARKERS.items():
        path = folder / marker
        if path.is_file():
            try:
                recorded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                recorded = {}
            return {"kind": kind, "name": str(recorded.get("name", ""))}
    return None


@dataclass
class Claim:
    """A folder held by this process: its path, kind, name and open lock file."""

    path: Path
    kind: str
    name: str
    descriptor: int
    created: bool


_HELD: dict[Path, Claim] = {}
"""Folders this process holds, so a nested claim (cli then write_run) is a no-op."""


def _describe_kind(kind: str) -> str:
    names = {"run": "edusim run", "experiment": "edusim experiment"}
    return names.get(kind, f"edusim {kind}")


def _refuse_not_a_folder(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise OutputFolderError(f"output folder {path} cannot be used: {error.strerror}") from error
    if stat.S_ISDIR(mode):
        return
    what = "a file" if stat.S_ISREG(mode) else "a device or special file, not a folder"
    raise OutputFolderError(f"output folder {path} is {what}; choose another --out")


def _ownership_problem(path: Path, kind: str, name: str, resume: bool) -> str | None:
    """Why `path` (an existing folder) is not ours to write, or None if it is."""
    leftovers = {LOCK, *MARKERS.values()}
    try:
        entries = [
            entry
            for entry in path.iterdir()
            if entry.name not in leftovers and not PARTIAL.match(entry.name)
        ]
    except OSError as error:
        return f"cannot read output folder {path}: {error.strerror}; choose another --out"
    if not entries:
        return None
    owner = read_marker(path)
    if owner is None and kind == "experiment" and resume and _legacy_experiment(path) == name:
        return None  # an experiment folder written before markers existed
    if resume and owner is not None and owner["kind"] == kind and owner["name"] == name:
        return None
    if owner is None:
        return (
            f"output folder {path} already exists and is not empty (it holds "
            f"'{sorted(entry.name for entry in entries)[0]}', not edusim's output); "
            "choose another --out"
        )
    if owner["kind"] != kind:
        return (
            f"output folder {path} holds the results of an {_describe_kind(owner['kind'])} "
            f"('{owner['name']}'), not of an {_describe_kind(kind)}; choose another --out"
        )
    if kind == "run":
        return (
            f"output folder {path} already exists and is not empty (it holds a run of "
            f"'{owner['name']}'); choose another --out"
        )
    return (
        f"output folder {path} holds the {kind} '{owner['name']}', not '{name}'; "
        "choose another --out"
    )


def _legacy_experiment(path: Path) -> str | None:
    import yaml

    spec = path / "experiment.yaml"
    if not spec.is_file():
        return None
    try:
        loaded = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    return str(loaded.get("name")) if isinstance(loaded, dict) else None


def _mark(path: Path, kind: str, name: str) -> None:
    """Write this writer's marker, unless the folder already carries it (a resume).
    Markers left alone in an otherwise empty folder are replaced."""
    if read_marker(path) == {"kind": kind, "name": name}:
        return
    for marker in MARKERS.values():
        with suppress(FileNotFoundError):
            (path / marker).unlink()
    text = json.dumps({"kind": kind, "name": name}, ensure_ascii=False) + "\n"
    (path / MARKERS[kind]).write_text(text, encoding="utf-8")


def _owner_text(path: Path) -> str:
    try:
        owner = json.loads((path / LOCK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another edusim process"
    return (
        f"{_describe_kind(str(owner.get('kind', 'edusim')))} '{owner.get('name', '')}' "
        f"(PID {owner.get('pid', '?')} on {owner.get('host', '?')}, since "
        f"{owner.get('started_utc', '?')})"
    )


def _recorded_owner_alive(lock: Path) -> bool:
    """Without flock: whether the PID recorded in the lock file still runs on this host."""
    try:
        owner = json.loads(lock.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if owner.get("host") != socket.gethostname():
        return True  # cannot tell: assume it is live
    return pid_alive(int(owner.get("pid", 0)))


def _lock(path: Path, kind: str, name: str) -> int:
    """Take the folder's lock (a stale one is taken over); return its open descriptor."""
    lock = path / LOCK
    while True:
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise OutputFolderError(
                f"cannot write into output folder {path}: {error.strerror}; choose another --out"
            ) from error
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                raise OutputFolderError(
                    f"output folder {path} is in use by {_owner_text(path)}; wait for it to "
                    "finish or choose another --out"
                ) from None
            try:  # the holder we waited for may have removed the file: lock the new one
                same = os.fstat(descriptor).st_ino == os.stat(lock).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(descriptor)
                continue
        elif os.fstat(descriptor).st_size and _recorded_owner_alive(lock):
            os.close(descriptor)
            raise OutputFolderError(
                f"output folder {path} is in use by {_owner_text(path)}; wait for it to "
                "finish or choose another --out"
            )
        owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "kind": kind,
            "name": name,
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(owner).encode("utf-8"), 0)
        return descriptor


@contextmanager
def claim_output(
    path: str | Path, kind: str, name: str, *, resume: bool = False
) -> Iterator[Claim]:
    """Hold `path` for a writer of `kind` ('run', 'experiment' or 'calibration') named `name`.

    The folder is created if missing; it must be empty, or (with `resume`) marked as
    this writer's own. The lock is held until the block ends; the marker stays. Dead
    staging folders inside are removed. A claim this process already holds is reused.
    Raises OutputFolderError with a sentence for a folder that may not be written."""
    path = Path(path)
    key = path.resolve()
    if key in _HELD:  # held by this process: the folder must still be ours to write
        problem = _ownership_problem(path, kind, name, resume)
        if problem is not None:
            raise OutputFolderError(problem)
        yield _HELD[key]
        return
    _refuse_not_a_folder(path)
    created = not path.exists()
    if not created:  # refuse a folder that is not ours before writing anything into it
        problem = _ownership_problem(path, kind, name, resume)
        if problem is not None:
            raise OutputFolderError(problem)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(
            f"cannot create output folder {path}: {error.strerror}; choose another --out"
        ) from error
    try:
        descriptor = _lock(path, kind, name)
    except BaseException:
        if created:
            with suppress(OSError):
                path.rmdir()
        raise
    claim = Claim(path, kind, name, descriptor, created)
    try:
        problem = _ownership_problem(path, kind, name, resume)
        if problem is not None:
            raise OutputFolderError(problem)
        remove_dead_partials(path)
        _mark(path, kind, name)
        _HELD[key] = claim
        yield claim
    except BaseException:
        _release(claim, remove_if_empty=True)
        raise
    else:
        _release(claim, remove_if_empty=False)
    finally:
        _HELD.pop(key, None)


def _release(claim: Claim, *, remove_if_empty: bool) -> None:
    """Remove the lock file (while still holding it), then let it go. After a failure,
    a folder this claim created and left holding only its marker is removed again."""
    with suppress(OSError):
        os.unlink(claim.path / LOCK)
    os.close(claim.descriptor)
    if remove_if_empty:
        remaining = {entry.name for entry in claim.path.iterdir()} if claim.path.is_dir() else set()
        if remaining <= {MARKERS[claim.kind]}:
            with suppress(OSError):
                (claim.path / MARKERS[claim.kind]).unlink()
            if claim.created:
                with suppress(OSError):
                    claim.path.rmdir()
