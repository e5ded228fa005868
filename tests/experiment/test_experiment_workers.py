"""Worker processes: a script without its `__main__` guard is refused before any worker
starts, and workers (with the resource tracker) die when the experiment is SIGKILLed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo.yaml"

COMPARE = f"""\
summary = edusim.compare(
    {str(DEMO)!r},
    {{"as-is": {{}}, "slow": {{"housing.adjust_speed": 0.05}}}},
    replications=1,
    years=1,
    metrics=["quality_sd"],
    workers=2,
)
print("rows", len(summary), "runs", int(summary["n"].sum()))
"""


def run_script(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path
    )


def test_a_script_without_the_main_guard_is_told_how_to_fix_it(tmp_path):
    done = run_script(tmp_path, "import edusim\n\n" + COMPARE)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("edusim.experiment.executor.MainGuardError: ")
    assert f"{tmp_path / 'script.py'} starts the experiment at line 3" in last
    assert 'if __name__ == "__main__":' in last
    # refused in the parent: no worker started, so no worker tracebacks
    assert "bootstrapping phase" not in done.stderr
    assert "rows" not in done.stdout


def test_a_guarded_script_runs_with_several_workers(tmp_path):
    """The guard may sit inside other blocks (here a `try`)."""
    body = textwrap.indent(COMPARE, " " * 8)
    head = "import edusim\n\ntry:\n    if __name__ == '__main__':\n"
    text = f"{head}{body}except KeyError:\n    raise\n"
    done = run_script(tmp_path, text)
    assert done.returncode == 0, done.stderr
    assert "rows 2 runs 2" in done.stdout


EXPERIMENT = """\
import sys

import edusim

if __name__ == "__main__":
    edusim.run_experiment(
        {{
            "name": "orphans",
            "scenario": {scenario!r},
            "years": 2,
            "replications": 200,
            "metrics": ["quality_sd"],
            "variants": {{"as-is": {{}}, "slow": {{"set": {{"housing.adjust_speed": 0.05}}}}}},
        }},
        workers=2,
        out=sys.argv[1],
    )
"""


def wait_until(condition, attempts: int = 3600, pause: float = 0.05) -> bool:
    """Poll `condition` a bounded number of times (3 minutes in all by default: on a
    shared two-core machine under a load of 12, spawning two workers and finishing one
    demo run took more than the 30 s this bound used to be; it returns as soon as the
    condition holds, so it costs nothing when the machine is free)."""
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(pause)
    return condition()


def gone(process: psutil.Process) -> bool:
    """Ended: no such process any more, or a zombie waiting for init to reap it."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killing_the_experiment_leaves_no_worker_behind(tmp_path):
    script = tmp_path / "experiment.py"
    script.write_text(EXPERIMENT.format(scenario=str(DEMO)), encoding="utf-8")
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:
        parent = subprocess.Popen(
            [sys.executable, str(script), str(out)], stdout=subprocess.DEVNULL, stderr=stderr
        )
    children: list[psutil.Process] = []
    try:
        main = psutil.Process(parent.pid)

        def busy() -> bool:  # both workers started and at least one run recorded
            manifest = out / "manifest.jsonl"
            workers = [p for p in main.children() if "spawn_main" in " ".join(p.cmdline())]
            return len(workers) == 2 and manifest.exists() and manifest.stat().st_size > 0

        assert wait_until(busy), f"the experiment never got going: {log.read_text()}"
        children = main.children(recursive=True)
        tracker = [p for p in children if "resource_tracker" in " ".join(p.cmdline())]
        assert len(children) == 3 and len(tracker) == 1  # two workers, the tracker
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert json.loads((out / "manifest.jsonl").read_text().splitlines()[0])["status"] == "ok"
        assert wait_until(lambda: all(gone(p) for p in children)), (
            "still running after their parent was killed: "
            f"{[p.pid for p in children if not gone(p)]} of {[p.pid for p in children]}"
        )
    finally:  # whatever happened, end what this test started
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for child in children:
            if not gone(child):
                child.kill()
