"""Sending a command to a resident edusim (`edusim serve`) instead of running it here.

A fresh `edusim run` spends about 1.9 CPU-s importing numpy, pandas, Mesa, numba and the
model and about 0.25 s loading the compiled kernels before its first year; a fresh
`edusim report` about 1.1 s importing pandas and matplotlib (docs/scale.md, "A resident
edusim"). A resident server has done both once. The console script, before importing its
parser (`forwardable` reads only the global options and the command's name), looks for
the server of this Python environment and, if it answers and runs the same code, hands
it the command (the fork parses it, so errors and help read as they would here):
the command line, the working folder, the environment and this process's standard input,
output and error themselves (file descriptors passed over the Unix socket), so the
command reads and writes the terminal or files exactly as it would here. The server
forks, the fork runs the command, and this process relays Ctrl-C (and SIGTERM, SIGHUP) to
it and exits with its status.

Nothing is sent when there is no server (one `stat` of the socket), when
`EDUSIM_SERVER=off`, when the socket's folder is not private to this user, or when the
server runs other code or was started with other import-time settings (the fingerprint
below): then the command runs here, as before. Only this module is imported on that path,
so a command without a server pays a few milliseconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

SERVER_VARIABLE = "EDUSIM_SERVER"
"""Environment variable: the server's socket path, or `off` to run every command here."""

OFF = frozenset({"off", "0", "no", "false"})
"""Values of `SERVER_VARIABLE` that turn forwarding off."""

IMPORT_TIME_PREFIXES = ("PYTHON", "NUMBA_", "OMP_", "MKL_", "OPENBLAS_", "MPL", "LC_", "LANG")
"""Environment variables read when modules are imported (numba's and the BLAS libraries'
threads and caches, matplotlib's backend and folders, Python's own settings, the locale):
a server started under other values of these could behave differently from a fresh
process, so they are part of the fingerprint. Every other variable is simply handed to
the command."""

IMPORT_TIME_NAMES = frozenset({"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"})
"""Single variables of the same kind (matplotlib's and numba's user folders)."""

LIMITS = ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")
"""Resource limits (`ulimit`) that must match the server's: a command under a memory or
time cap of its own runs where it is typed, where the cap means what it says (a fork
starts with the server's address space, so a memory cap would not)."""

CODE_SUFFIXES = (".py", ".json", ".mplstyle", ".yaml", ".yml")
"""Files of the edusim package whose change makes a running server stale."""

RELAYED_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
"""Signals this process passes on to the command running in the server."""


class ServerFolderError(Exception):
    """The folder of the server's socket is not private to this user."""


def socket_path() -> Path | None:
    """Where this Python environment's server listens: `EDUSIM_SERVER` when set (None when
    it says `off`), else `edusim-<uid>/<environment>.sock` in `XDG_RUNTIME_DIR` or the
    temporary folder (one server per environment, so two virtual environments never
    share one)."""
    if not supported():
        return None
    chosen = os.environ.get(SERVER_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in OFF or not chosen.strip() else Path(chosen)
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    environment = hashlib.sha256(sys.prefix.encode()).hexdigest()[:12]
    return Path(base) / f"edusim-{os.getuid()}" / f"{environment}.sock"


def supported() -> bool:
    """Whether this platform can run commands in a resident server: Unix sockets that
    carry file descriptors, fork, and user ids (not Windows)."""
    return all(hasattr(socket, name) for name in ("AF_UNIX", "send_fds")) and all(
        hasattr(os, name) for name in ("fork", "getuid")
    )


def check_private(folder: Path) -> None:
    """Refuse a socket folder another user could write to or owns (someone else's socket
    there would receive our commands and our terminal)."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ServerFolderError(
            f"{folder} must be a folder owned by this user with no access for others "
            f"(mode 700) to hold edusim's server socket"
        )


def fingerprint(package: Path | None = None) -> dict[str, str]:
    """What must match between a server and a command for the server to run it, in two
    parts. `code`: the interpreter, the installed packages' folders and when they last
    changed (a package installed or removed), and every code and data file of the edusim
    package (path, size, time of change); a server whose code differs is stale. `settings`:
    the import-time environment variables (`IMPORT_TIME_PREFIXES`, `IMPORT_TIME_NAMES`)
    and the resource limits (`LIMITS`). `package`: the edusim package's folder (default:
    the one imported)."""
    if package is None:
        import edusim

        package = Path(edusim.__file__).resolve().parent
    files = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(names):
            if name.endswith(CODE_SUFFIXES):
                path = os.path.join(folder, name)
                info = os.stat(path)
                files.append((os.path.relpath(path, package), info.st_size, info.st_mtime_ns))
    folders = []
    for entry in sys.path[1:]:  # [0] is the script's folder or the working folder
        try:
            folders.append((entry, os.stat(entry).st_mtime_ns))
        except OSError:
            continue
    code = [sys.executable, sys.version, str(package), folders, files]
    settings = sorted(
        (key, value)
        for key, value in os.environ.items()
        if key.startswith(IMPORT_TIME_PREFIXES) or key in IMPORT_TIME_NAMES
    )
    return {"code": _digest(code), "settings": _digest([settings, _limits()])}


def _limits() -> list[tuple[str, tuple[int, int]]]:
    import resource

    return [
        (name, resource.getrlimit(getattr(resource, name)))
        for name in LIMITS
        if hasattr(resource, name)
    ]


def _digest(record: object) -> str:
    return hashlib.sha256(json.dumps(record).encode()).hexdigest()


def standard_descriptors() -> list[int]:
    """Descriptors 0, 1 and 2, each opened on /dev/null first if it is closed: the client
    sends them to the server, and the server keeps its own open so that the descriptors a
    command brings never land on them."""
    for number in range(3):
        try:
            os.fstat(number)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != number:
                os.dup2(devnull, number)
                os.close(devnull)
    return [0, 1, 2]


def signal_process(pid: int, number: int) -> None:
    """Send signal `number` to `pid` unless it has already gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)


def request_of(argv: Sequence[str]) -> bytes:
    """The request line: the fingerprint, the command line, the folder, the environment
    and the file-creation mask."""
    umask = os.umask(0o022)
    os.umask(umask)
    request = {
        "fingerprint": fingerprint(),
        "argv": list(argv),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": umask,
    }
    return json.dumps(request).encode() + b"\n"


GLOBAL_FLAGS = {"-v": 1, "--verbose": 1, "-vv": 2, "-vvv": 3, "-q": -1, "-qq": -2}
"""The global options that may come before a command (`cli.parser`), with how much more
(or less) they say."""


def forwardable(argv: Sequence[str]) -> str | None:
    """Whether the console script offers `argv` to a server, read without the parser (so
    that a served command imports none of it): a command after the global options, other
    than `serve`; "announce" when they ask for more diagnostics (`-v`: say where it runs),
    "yes" otherwise, None for no command (`--help`, `--version`, an unknown option).
    The server's fork parses the whole command line, so its errors read as they would
    here."""
    verbosity = 0
    for word in argv:
        if word in GLOBAL_FLAGS:
            verbosity += GLOBAL_FLAGS[word]
            continue
        if word.startswith("-") or word == "serve":
            return None
        return "announce" if verbosity > 0 else "yes"
    return None


def forward(argv: Sequence[str], announce: bool = False) -> int | None:
    """Run the command `argv` in this environment's server and return its exit status, or
    None when there is no server to run it (none listening, forwarding off, a folder not
    private, or a server of other code or settings, which then shuts itself down): the
    caller then runs the command itself. `announce` (under `-v`): say on stderr where the
    command runs."""
    path = socket_path()
    if path is None or not os.path.exists(path):
        return None
    try:
        check_private(path.parent)
    except ServerFolderError as error:
        print(f"edusim: not using the resident server: {error}", file=sys.stderr)
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        # The descriptors travel with the first byte; the request follows.
        socket.send_fds(connection, [b"R"], standard_descriptors())
        connection.sendall(request_of(argv))
        replies = connection.makefile("rb")
        first = json.loads(replies.readline() or b"{}")
    except (OSError, ValueError):
        connection.close()
        return None
    if "pid" not in first:
        connection.close()
        return None  # refused: other code or settings (the reason is in the server's log)
    if announce:
        print(
            f"edusim: running in the resident server at {path} (pid {first['pid']})",
            file=sys.stderr,
        )
    return _relay_until_exit(connection, replies, int(first["pid"]))


def _relay_until_exit(connection: socket.socket, replies, pid: int) -> int:
    """Pass signals on to the command (process `pid`) until the server reports its exit
    status; 1 with a message if the server goes away first."""

    def relay(signum: int, _frame: object) -> None:
        signal_process(pid, signum)

    for name in RELAYED_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, relay)
    try:
        line = replies.readline()
    finally:
        connection.close()
    try:
        status = json.loads(line)["exit"]
    except (ValueError, KeyError, TypeError):
        print("edusim: the resident server ended before the command did", file=sys.stderr)
        return 1
    return int(status)
