"""Rendering figures in forked workers: the workers do not outlive a killed parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARENT = """
import os, sys, time
import matplotlib
matplotlib.use("Agg")
import edusim.report.render as render
from edusim.report import build_report

def hang(position):
    os.write(1, f"{os.getpid()}\\n".encode())  # one write: the two workers' lines never mix
    time.sleep(3600)

render._render_pending = hang
build_report(sys.argv[1], workers=2, formats=("png",))
"""


def _gone(pid: int) -> bool:
    """Whether a process has ended (exited, or a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_render_workers_die_with_a_killed_parent(results_copy):
    folder = results_copy("compare")
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(folder)], stdout=subprocess.PIPE, text=True
    )
    try:
        workers: list[int] = []
        while len(workers) < 2:  # each worker writes its pid once it is rendering
            line = parent.stdout.readline()
            assert line, "the report's workers never started"
            if line.strip():
                workers.append(int(line))
    finally:  # whatever happened, the parent goes (its workers must follow it)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    for _ in range(400):  # the kernel signals them at once; this only waits for them to go
        if all(_gone(pid) for pid in workers):
            break
        time.sleep(0.05)
    alive = [pid for pid in workers if not _gone(pid)]
    for pid in alive:  # do not leave them behind if the test fails
        os.kill(pid, signal.SIGKILL)
    assert alive == []
    assert [p.name for p in folder.iterdir() if p.name.startswith(".report.partial-")]
