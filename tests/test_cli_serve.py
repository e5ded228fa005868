"""`edusim serve` and commands forwarded to it (cli/serve.py, cli/forward.py): the same
tables as a fresh process, the client's terminal, folder, exit status and Ctrl-C, and a
server that refuses other settings and stops when the code changes or it is idle.

Each server here is a real `python -m edusim serve` on a socket in a private temporary
folder (the warm-up costs about 8 CPU-s, so one server serves most tests)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from edusim.cli import forward as forwarding
from edusim.cli import main

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not hasattr(__import__("socket"), "AF_UNIX"),
    reason="the resident server forks and listens on a Unix socket",
)


@dataclass
class Server:
    socket: Path
    log: Path
    process: subprocess.Popen
    env: dict[str, str]

    def log_text(self) -> str:
        return self.log.read_text()

    def wait_for_log(self, text: str) -> str:
        """The log once it holds `text`; fails if the server ends without writing it. (No
        deadline: the project's tests set no wall-clock limits; every wait here ends,
        since each server is started with `--idle`.)"""
        while text not in self.log_text():
            assert self.process.poll() is None, f"{text!r} not in the log:\n{self.log_text()}"
            time.sleep(0.05)
        return self.log_text()


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "EDUSIM_DEBUG"}
    env.update(extra)
    return env


def _start(folder: Path, *options: str, **extra: str) -> Server:
    socket_path = folder / "s.sock"
    env = _environment(EDUSIM_SERVER=str(socket_path), **extra)
    log = folder / "server.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "edusim", "serve", *options],
            cwd=folder,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    server = Server(socket_path, log, process, env)
    server.wait_for_log("serving at")
    return server


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait()


@pytest.fixture
def private_folder() -> Iterator[Path]:
    """A short private folder (a Unix socket's path must stay under about 100 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="es-"))
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    folder = Path(tempfile.mkdtemp(prefix="es-"))
    started = _start(folder, "--idle", "600")
    try:
        yield started
    finally:
        _stop(started)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def _edusim(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edusim", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("*.parquet"))
    }


# -- commands through the server -------------------------------------------------------------


def test_a_run_through_the_server_writes_the_tables_of_a_fresh_process(server, tmp_path):
    served = _edusim("run", "demo", "--years", "3", "--out", "served", cwd=tmp_path, env=server.env)
    assert served.returncode == 0, served.stderr
    log = server.wait_for_log("'run demo --years 3 --out served'")
    assert "exit 0" in log.split("'run demo --years 3 --out served'")[1].splitlines()[0]
    assert "results written to served" in served.stdout  # the client's own stdout
    assert "report written to" in served.stdout
    here = _edusim(
        "run", "demo", "--years", "3", "--out", "here", "--no-report", cwd=tmp_path,
        env=_environment(EDUSIM_SERVER="off"),
    )  # fmt: skip
    assert here.returncode == 0, here.stderr
    assert "'run demo --years 3 --out here" not in server.log_text()
    served_tables = _digests(tmp_path / "served")
    assert len(served_tables) >= 6
    assert served_tables == _digests(tmp_path / "here")
    assert (tmp_path / "served" / "report.html").is_file()


def test_two_commands_at_once_each_run_in_their_own_fork(server, tmp_path):
    clients = [
        subprocess.Popen(
            [sys.executable, "-m", "edusim", "-v", "run", "demo", "--years", "6", "--out", out],
            cwd=tmp_path,
            env=server.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in ("first", "second")
    ]
    outputs = [client.communicate() for client in clients]
    assert [client.returncode for client in clients] == [0, 0], outputs
    pids = {err.split("(pid ")[1].split(")")[0] for _, err in outputs}
    assert len(pids) == 2  # two forks
    assert _digests(tmp_path / "first") == _digests(tmp_path / "second")


def test_an_argument_error_reads_the_same_through_the_server(server, tmp_path):
    served = _edusim("run", "--years", "x", cwd=tmp_path, env=server.env)
    here = _edusim("run", "--years", "x", cwd=tmp_path, env=_environment(EDUSIM_SERVER="off"))
    assert served.returncode == here.returncode == 2
    assert served.stderr == here.stderr
    assert "usage: edusim run" in served.stderr
    assert "'run --years x' (pid" in server.wait_for_log("'run --years x'")


def test_verbose_says_where_the_command_runs(server, tmp_path):
    result = _edusim("-v", "scenarios", cwd=tmp_path, env=server.env)
    assert result.returncode == 0
    assert f"running in the resident server at {server.socket}" in result.stderr
    quiet = _edusim("scenarios", cwd=tmp_path, env=server.env)
    assert "resident server" not in quiet.stderr
    assert quiet.stdout == result.stdout


def test_a_refused_scenario_gives_its_exit_status_and_message_through_the_server(server, tmp_path):
    result = _edusim("run", "no-such-scenario.yaml", cwd=tmp_path, env=server.env)
    assert result.returncode == 2
    assert result.stderr.startswith("edusim: ")
    assert "Traceback" not in result.stderr
    assert "'run no-such-scenario.yaml' (pid" in server.wait_for_log("no-such-scenario")
    assert "exit 2" in server.log_text()


def _wait_for(path: Path, client: subprocess.Popen) -> None:
    while not path.exists():
        assert client.poll() is None, f"{path} never appeared"
        time.sleep(0.02)


def _long_run(server: Server, folder: Path, out: str) -> subprocess.Popen:
    """An 80-year demo run through the server, once it has claimed its output folder."""
    client = subprocess.Popen(
        [sys.executable, "-m", "edusim", "run", "demo", "--years", "80", "--out", out],
        cwd=folder,
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(folder / out, client)  # the command claimed its folder: it runs in the server
    return client


def test_ctrl_c_reaches_the_command_in_the_server(server, tmp_path):
    client = _long_run(server, tmp_path, "long")
    time.sleep(0.5)
    client.send_signal(signal.SIGINT)
    _, stderr = client.communicate()
    assert client.returncode == 130, stderr
    assert "interrupted" in stderr
    assert not (tmp_path / "long" / "manifest.json").exists()  # nothing that looks complete
    assert "'run demo --years 80 --out long'" in server.wait_for_log("--out long'")


def test_a_killed_client_hangs_up_its_command(server, tmp_path):
    client = _long_run(server, tmp_path, "orphan")
    client.kill()  # SIGKILL: nothing to relay; the server sees the connection close
    client.communicate()
    log = server.wait_for_log("--out orphan'")
    line = next(line for line in log.splitlines() if "--out orphan'" in line)
    assert f"exit {128 + signal.SIGHUP}" in line


def test_other_import_time_settings_run_the_command_here(server, tmp_path):
    env = dict(server.env, PYTHONEDUSIMTESTSETTING="1")
    result = _edusim("scenarios", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout
    assert "import-time environment variables differ" in server.wait_for_log("refused")
    status = _edusim("serve", "--status", cwd=tmp_path, env=server.env)
    assert status.returncode == 0  # still serving
    assert f"pid {server.process.pid}" in status.stdout


# -- the server's life -----------------------------------------------------------------------


def test_a_server_stops_when_the_code_it_imported_changes(private_folder, tmp_path):
    packages = private_folder / "packages"
    packages.mkdir()
    server = _start(private_folder, "--idle", "120", PYTHONPATH=str(packages))
    try:
        first = _edusim("scenarios", cwd=tmp_path, env=server.env)
        assert first.returncode == 0
        server.wait_for_log("'scenarios' (pid")
        (packages / "newly_installed.py").write_text("")  # a package installed meanwhile
        os.utime(packages, ns=(time.time_ns(), time.time_ns() + 10**9))
        second = _edusim("scenarios", cwd=tmp_path, env=server.env)
        assert second.returncode == 0, second.stderr  # ran here instead
        assert second.stdout == first.stdout
        server.process.wait()  # by itself (at the latest after its 120 s idle)
        assert server.process.returncode == 0
        assert "the code or installed packages changed" in server.log_text()
        assert not server.socket.exists()
    finally:
        _stop(server)


def test_status_stop_and_a_second_server(private_folder, tmp_path):
    server = _start(private_folder, "--idle", "600")
    try:
        again = _edusim("serve", cwd=private_folder, env=server.env)
        assert again.returncode == 2
        assert "already listens" in again.stderr
        stop = _edusim("serve", "--stop", cwd=tmp_path, env=server.env)
        assert stop.returncode == 0
        assert "stopping" in stop.stdout
        server.process.wait()
        assert server.process.returncode == 0
        assert not server.socket.exists()
        none = _edusim("serve", "--status", cwd=tmp_path, env=server.env)
        assert none.returncode == 1
        assert "no edusim server" in none.stdout
    finally:
        _stop(server)


def test_an_idle_server_stops_by_itself(private_folder):
    server = _start(private_folder, "--idle", "1")
    try:
        server.process.wait()
        assert "no command for 1 s; stopping" in server.log_text()
        assert not server.socket.exists()
    finally:
        _stop(server)


# -- the client's rules ----------------------------------------------------------------------


def test_platforms_without_unix_sockets_or_fork_run_every_command_here(monkeypatch):
    monkeypatch.delattr(os, "fork")
    assert not forwarding.supported()
    assert forwarding.socket_path() is None
    assert forwarding.forward(["scenarios"]) is None
    assert main(["serve"]) == 2


def test_the_socket_path_follows_edusim_server(monkeypatch):
    monkeypatch.setenv("EDUSIM_SERVER", "off")
    assert forwarding.socket_path() is None
    monkeypatch.setenv("EDUSIM_SERVER", "/somewhere/s.sock")
    assert forwarding.socket_path() == Path("/somewhere/s.sock")
    monkeypatch.delenv("EDUSIM_SERVER")
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/run/user/7")
    default = forwarding.socket_path()
    assert default is not None
    assert default.parent == Path(f"/run/user/7/edusim-{os.getuid()}")
    assert default.suffix == ".sock"


def test_no_server_means_the_command_runs_here(private_folder, monkeypatch):
    monkeypatch.setenv("EDUSIM_SERVER", str(private_folder / "none.sock"))
    assert forwarding.forward(["scenarios"]) is None


def test_a_socket_folder_others_can_write_is_not_used(private_folder, monkeypatch, capsys):
    shared = private_folder / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (shared / "s.sock").write_text("")
    monkeypatch.setenv("EDUSIM_SERVER", str(shared / "s.sock"))
    assert forwarding.forward(["scenarios"]) is None
    assert "not using the resident server" in capsys.readouterr().err
    with pytest.raises(forwarding.ServerFolderError, match="mode 700"):
        forwarding.check_private(shared)
    forwarding.check_private(private_folder)  # mkdtemp's folder is private


@pytest.mark.parametrize(
    ("argv", "offered"),
    [
        (["run", "demo"], "yes"),
        (["report", "--help"], "yes"),  # the fork's parser prints the help
        (["-v", "run", "demo"], "announce"),
        (["-vv", "experiment", "x.yaml"], "announce"),
        (["-v", "-q", "run", "demo"], "yes"),
        (["serve"], None),
        (["-v", "serve", "--stop"], None),
        (["--help"], None),
        (["--version"], None),
        (["--frobnicate", "run"], None),
        ([], None),
    ],
)
def test_which_command_lines_are_offered_to_a_server(argv, offered):
    assert forwarding.forwardable(argv) == offered


def test_the_global_flags_read_without_the_parser_are_the_parsers():
    """`forward.GLOBAL_FLAGS` restates the parser's global counting options (the client
    must not import the parser): every one of them is there, each worth what the parser
    makes of it."""
    import argparse

    from edusim.cli.parser import build_parser

    parser = build_parser()
    counted = {
        option
        for action in parser._actions
        if isinstance(action, argparse._CountAction)
        for option in action.option_strings
    }
    assert counted <= set(forwarding.GLOBAL_FLAGS)
    for flag, worth in forwarding.GLOBAL_FLAGS.items():
        args = parser.parse_args([flag, "scenarios"])
        assert args.verbose - args.less == worth, flag


def test_main_called_with_arguments_never_forwards(monkeypatch, capsys):
    def refuse(argv):
        raise AssertionError("forwarded")

    monkeypatch.setattr(forwarding, "forward", refuse)
    assert main(["scenarios"]) == 0
    assert "demo" in capsys.readouterr().out


def test_a_fork_shows_again_the_warnings_its_server_showed_once():
    import warnings

    from edusim.cli.resident import fresh_warning_registries

    def warn() -> None:
        warnings.warn("shown once per place", UserWarning, stacklevel=1)

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("default")
        warn()
        warn()
        assert len(shown) == 1  # Python's rule: once per place and process
        fresh_warning_registries()
        warn()
        assert len(shown) == 2


def test_the_fingerprint_sees_a_changed_file_and_import_time_settings(tmp_path, monkeypatch):
    package = tmp_path / "edusim"
    (package / "sub").mkdir(parents=True)
    source = package / "sub" / "rule.py"
    source.write_text("A = 1\n")
    (package / "__pycache__").mkdir()
    before = forwarding.fingerprint(package)
    (package / "__pycache__" / "rule.cpython-311.pyc").write_bytes(b"x")
    (package / "notes.txt").write_text("not code")
    assert forwarding.fingerprint(package) == before  # caches and other files do not count
    source.write_text("A = 2\n")
    changed = forwarding.fingerprint(package)
    assert changed["code"] != before["code"]
    assert changed["settings"] == before["settings"]
    monkeypatch.setenv("NUMBA_NUM_THREADS", "1")
    threads = forwarding.fingerprint(package)
    assert threads["settings"] != changed["settings"]
    monkeypatch.setenv("SOME_OTHER_VARIABLE", "x")  # handed to the command, not compared
    assert forwarding.fingerprint(package) == threads
