"""`edusim serve`: start, query or stop a resident edusim (the server is in
`cli/resident.py`, the forwarding of commands to it in `cli/forward.py`). Light on
purpose: `--help` imports none of it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from edusim.cli.common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, Command, positive

IDLE_SECONDS = 3600
"""Default: the server stops after an hour without a command (assumption: long enough for
a working session, short enough not to hold 300-400 MiB for days)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--socket",
        type=Path,
        help="socket path (default: $EDUSIM_SERVER, else one per Python environment in "
        "$XDG_RUNTIME_DIR or /tmp; commands use the server only at the path they look at)",
    )
    parser.add_argument(
        "--idle",
        type=positive,
        default=IDLE_SECONDS,
        metavar="SECONDS",
        help=f"stop after this long without a command (default {IDLE_SECONDS})",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--status", action="store_true", help="say whether a server listens")
    action.add_argument(
        "--stop", action="store_true", help="stop the server (running commands finish first)"
    )


def execute(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edusim.cli.forward import ServerFolderError, socket_path, supported
    from edusim.cli.resident import control, make_private_folder, serve

    if not supported():
        print("edusim: `edusim serve` needs Unix sockets and fork (not Windows)", file=sys.stderr)
        return EXIT_BAD_INPUT
    path = args.socket or socket_path()
    if path is None:
        print("edusim: EDUSIM_SERVER is off; give --socket PATH to serve", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.status or args.stop:
        reply = control(path, b"S" if args.status else b"Q")
        if reply is None:
            print(f"no edusim server at {path}")
            return EXIT_FAILED
        verb = "stopping" if args.stop else "serving"
        print(
            f"edusim server {verb} at {path}: pid {reply['pid']}, {reply['commands']} commands "
            f"so far, {reply['running']} running"
        )
        return EXIT_OK
    try:
        make_private_folder(path.parent)
    except ServerFolderError as error:
        print(f"edusim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if control(path, b"S") is not None:
        print(f"edusim: a server already listens at {path}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if path != socket_path():
        print(
            f"edusim: commands use this server when EDUSIM_SERVER={path} is set",
            file=sys.stderr,
        )
    return serve(path, args.idle)


COMMAND = Command(
    name="serve",
    help="keep a warm edusim running; commands typed meanwhile run in it, without the "
    "seconds of imports and kernel loads",
    description="Start a resident edusim: it imports the simulator and the report once, "
    "warms up on the demo city, and runs each edusim command of this Python environment "
    "in a fork of itself (same results, same files, the command's own terminal). Stops on "
    "Ctrl-C, `--stop`, after `--idle` seconds, or when the code changes. EDUSIM_SERVER=off "
    "makes a command run where it is typed.",
    add_arguments=add_arguments,
    execute=execute,
)
