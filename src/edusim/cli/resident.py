"""A resident edusim (`edusim serve`): a process that runs each command it is sent in a
fork of itself.

The server imports the simulator, the report and their libraries once, then warms itself
by running the demo city through `edusim run` and `edusim report` into a temporary
folder and once under each assignment mechanism (so numba's kernels, matplotlib's fonts
and the libraries' lazy parts are loaded), and listens on a Unix socket private to its
user (`forward.socket_path`). For each command the console script hands it
(`forward.forward`), it forks: the fork takes the command's standard input, output and
error, working folder and environment, runs `cli.main` on the command line as a fresh
process would, and exits; the server reports the exit status. The warm parent never runs
a command itself, so no command sees what another did; tables are the same as a fresh
process's (tests/test_cli_serve.py).

The server stops on Ctrl-C or SIGTERM (commands still running get SIGTERM),
`edusim serve --stop` (commands still running finish first), after `--idle` seconds
without a command, or as soon as a command arrives from other code (an edited source file,
an installed package): the command runs where it was typed and the stale server stops.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import io
import json
import os
import selectors
import signal
import socket
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from edusim.cli.common import EXIT_FAILED, EXIT_OK
from edusim.cli.forward import (
    check_private,
    fingerprint,
    signal_process,
    standard_descriptors,
)
from edusim.forking import fork_is_safe

REQUEST_SECONDS = 5.0
"""How long the server waits for a connected client's request before dropping it."""

EXIT_STATUS_OF_SIGNAL = 128
"""A command killed by signal N exits with 128 + N, as a shell reports it."""


@dataclass
class _Running:
    """A command running in a fork: its process and its client's connection."""

    pid: int
    connection: socket.socket
    argv: list[str]
    client_gone: bool = False


@dataclass
class _State:
    listener: socket.socket | None
    path: Path
    own: dict[str, str]
    inode: int = 0
    running: dict[int, _Running] = field(default_factory=dict)
    commands: int = 0
    stopping: bool = False
    last_activity: float = field(default_factory=time.monotonic)


def make_private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_private(folder)


def control(path: Path, kind: bytes) -> dict | None:
    """Send a status (`S`) or stop (`Q`) request; the server's reply, or None if nothing
    answers at `path`."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(REQUEST_SECONDS)
            connection.connect(str(path))
            connection.sendall(kind)
            return json.loads(connection.makefile("rb").readline())
    except (OSError, ValueError):
        return None


def warm_up() -> float:
    """Import and exercise what commands use, in this process, so that forks start warm:
    the demo city run and reported through the command line into a temporary folder (its
    output swallowed), then the kernels of every assignment mechanism. CPU seconds spent."""
    from edusim.cli import main
    from edusim.cli.compile_kernels import warm_up as compile_kernels
    from edusim.log import configure_cli_logging

    started = time.process_time()
    with tempfile.TemporaryDirectory(prefix="edusim-serve-") as folder:
        run = Path(folder) / "run"
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            main(["run", "demo", "--years", "2", "--out", str(run), "--quiet", "--no-report"])
            main(["report", str(run), "--workers", "1"])
            compile_kernels(years=1)
        configure_cli_logging(0)
    return time.process_time() - started


def serve(path: Path, idle_seconds: float) -> int:
    """Warm up, listen at `path` and run commands until stopped."""
    standard_descriptors()  # open, so that a command's descriptors never land on 0-2 here
    own = fingerprint()  # before the warm-up: a file edited meanwhile makes it stale at once
    print("edusim: warming up (the demo city run and reported once)...", file=sys.stderr)
    seconds = warm_up()
    if not fork_is_safe():
        print(
            "edusim: cannot serve: this platform does not fork, or a thread still runs after the warm-up",
            file=sys.stderr,
        )
        return EXIT_FAILED
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, 0o600)
    listener.listen(64)
    state = _State(listener, path, own, inode=os.stat(path).st_ino)
    print(
        f"edusim: serving at {path} (pid {os.getpid()}, warmed in {seconds:.1f} CPU-s); "
        f"commands of this Python environment run here; stop with Ctrl-C or "
        f"`edusim serve --stop`",
        file=sys.stderr,
        flush=True,
    )
    gc.collect()
    gc.freeze()  # the forks share these pages instead of copying them on the first collection
    try:
        _loop(state, idle_seconds)
    finally:
        _close_listener(state)
    print(f"edusim: server stopped after {state.commands} commands", file=sys.stderr)
    return EXIT_OK


def _loop(state: _State, idle_seconds: float) -> None:
    wake_reader, wake_writer = socket.socketpair()
    wake_reader.setblocking(False)
    wake_writer.setblocking(False)
    signal.set_wakeup_fd(wake_writer.fileno(), warn_on_full_buffer=False)
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.getsignal(number) for number in (*stop_signals, signal.SIGCHLD)}

    def stop_now(_signum: int, _frame: object) -> None:
        if not state.stopping:
            state.stopping = True
            for command in state.running.values():
                signal_process(command.pid, signal.SIGTERM)

    for number in stop_signals:
        signal.signal(number, stop_now)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)  # wakes the selector
    selector = selectors.DefaultSelector()
    selector.register(wake_reader, selectors.EVENT_READ, "wake")
    assert state.listener is not None
    selector.register(state.listener, selectors.EVENT_READ, "accept")
    closable = [wake_reader, wake_writer]
    try:
        while True:
            _reap(state, selector)
            if state.stopping:
                if state.listener is not None:
                    selector.unregister(state.listener)
                    _close_listener(state)
                if not state.running:
                    return
            idle = time.monotonic() - state.last_activity
            if not state.running and idle >= idle_seconds:
                print(f"edusim: no command for {idle_seconds} s; stopping", file=sys.stderr)
                return
            timeout = None if state.running else idle_seconds - idle
            for key, _ in selector.select(timeout):
                if key.data == "wake":
                    with contextlib.suppress(BlockingIOError):
                        while wake_reader.recv(4096):
                            pass
                elif key.data == "accept" and state.listener is not None:
                    _accept(state, selector, closable)
                elif isinstance(key.data, _Running):
                    _client_gone(key.data, selector)
    finally:
        signal.set_wakeup_fd(-1)
        for number, handler in previous.items():
            signal.signal(number, handler)
        selector.close()
        for item in closable:
            item.close()


def _accept(state: _State, selector: selectors.BaseSelector, closable: list) -> None:
    assert state.listener is not None
    try:
        connection, _ = state.listener.accept()
    except (BlockingIOError, InterruptedError):
        return
    state.last_activity = time.monotonic()
    connection.settimeout(REQUEST_SECONDS)
    descriptors: list[int] = []
    try:
        if not _same_user(connection):
            connection.close()
            return
        kind, descriptors, _, _ = socket.recv_fds(connection, 1, 3)
        if kind in (b"S", b"Q"):
            _reply(
                connection,
                {"pid": os.getpid(), "commands": state.commands, "running": len(state.running)},
            )
            connection.close()
            state.stopping = state.stopping or kind == b"Q"
            return
        if kind != b"R" or len(descriptors) != 3:
            raise ValueError("not a command request")
        request = json.loads(connection.makefile("rb").readline())
    except (OSError, ValueError):
        for number in descriptors:
            os.close(number)
        connection.close()
        return
    refusal = _refusal(state, request["fingerprint"])
    if refusal is not None:
        print(f"edusim: refused a command: {refusal}", file=sys.stderr, flush=True)
        _reply(connection, {"refused": refusal})
        for number in descriptors:
            os.close(number)
        connection.close()
        return
    others = [
        state.listener,
        connection,
        *closable,
        *(c.connection for c in state.running.values()),
    ]
    pid = os.fork()
    if pid == 0:
        _command_in_fork(request, descriptors, others)
    for number in descriptors:
        os.close(number)
    state.commands += 1
    command = _Running(pid, connection, list(request["argv"]))
    state.running[pid] = command
    connection.setblocking(False)
    _reply(connection, {"pid": pid})
    selector.register(connection, selectors.EVENT_READ, command)


def _refusal(state: _State, theirs: dict[str, str]) -> str | None:
    """Why the server does not run a command (None: it runs it). Other code makes the
    server stale: it stops accepting and stops once its commands finish."""
    if theirs.get("code") != state.own["code"]:
        state.stopping = True
        return "the code or installed packages changed since the server started; it stops"
    if theirs.get("settings") != state.own["settings"]:
        return "the command's import-time environment variables differ from the server's"
    return None


def _same_user(connection: socket.socket) -> bool:
    """Whether the peer runs as this user (Linux's SO_PEERCRED; elsewhere the socket's
    private folder and mode guard it)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    import struct

    credentials = connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


def _reply(connection: socket.socket, message: dict) -> None:
    with contextlib.suppress(OSError):
        connection.setblocking(True)
        connection.sendall(json.dumps(message).encode() + b"\n")


def _client_gone(command: _Running, selector: selectors.BaseSelector) -> None:
    """The client's connection closed or spoke while its command runs: the client was
    killed (its relay cannot pass SIGKILL on), so the command is hung up on."""
    selector.unregister(command.connection)
    command.client_gone = True
    signal_process(command.pid, signal.SIGHUP)


def _reap(state: _State, selector: selectors.BaseSelector) -> None:
    """Collect every finished command and send its exit status to its client."""
    while state.running:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        command = state.running.pop(pid, None)
        if command is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            code = EXIT_STATUS_OF_SIGNAL - code
        print(
            f"edusim: command {' '.join(command.argv)!r} (pid {pid}) exit {code}, "
            f"{usage.ru_utime + usage.ru_stime:.2f} CPU-s, peak {usage.ru_maxrss / 1024:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
        if not command.client_gone:
            selector.unregister(command.connection)
            _reply(command.connection, {"exit": code})
        command.connection.close()
        state.last_activity = time.monotonic()


def _close_listener(state: _State) -> None:
    """Stop listening and remove the socket file, unless another server has replaced it."""
    if state.listener is None:
        return
    with contextlib.suppress(OSError):
        if os.stat(state.path).st_ino == state.inode:
            state.path.unlink()
    state.listener.close()
    state.listener = None


def _command_in_fork(request: dict, descriptors: list[int], others: list) -> None:
    """In the fork: become the client's process (its descriptors, folder, environment)
    and run its command line; never returns."""
    code = EXIT_FAILED
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(number, signal.SIG_DFL)
        for item in others:
            if item is not None:
                item.close()
        for target, number in enumerate(descriptors):
            os.dup2(number, target)
            os.close(number)
        _standard_streams()
        fresh_warning_registries()
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        tempfile.tempdir = None  # found again from the command's TMPDIR
        sys.argv = ["edusim", *request["argv"]]
        from edusim.cli import main

        code = main(request["argv"])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # the fork must never return into the server
        import traceback

        traceback.print_exc()
        code = EXIT_FAILED
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os._exit(code)


def fresh_warning_registries() -> None:
    """Forget which warnings were already shown: Python shows a warning once per place
    and process, and one the warm-up triggered would otherwise never reach a command."""
    warnings.onceregistry.clear()
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()


def _standard_streams() -> None:
    """sys.stdin, stdout and stderr on descriptors 0-2 as a fresh interpreter makes them:
    stdout line-buffered on a terminal, stderr always, the server's encodings."""
    encoding = sys.stdout.encoding
    sys.stdin = open(0, encoding=sys.stdin.encoding, closefd=False)  # noqa: SIM115
    sys.stdout = open(  # noqa: SIM115
        1, "w", buffering=1 if os.isatty(1) else -1, encoding=encoding, closefd=False
    )
    sys.stderr = open(  # noqa: SIM115
        2, "w", buffering=1, encoding=sys.stderr.encoding, errors="backslashreplace", closefd=False
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
