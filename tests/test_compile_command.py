"""`edusim compile` and the first run's note: a run with an empty numba cache says it is
compiling, a run on a warm cache does not, and the warm-up leaves every kernel cached.

Each case points `NUMBA_CACHE_DIR` at its own empty folder in a subprocess, so it compiles
from nothing (about half a minute of CPU each) and never touches the package's cache."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from edusim.cli.compile_kernels import COLD_NOTE, EVERY_RUN, KERNEL_MODULES, cached_kernels

SRC = Path(__file__).resolve().parents[1] / "src"


def _edusim(args: list[str], cache: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "edusim", *args], env=env, cwd=cwd, capture_output=True, text=True
    )


def _run_demo(cache: Path, tmp_path: Path, name: str) -> subprocess.CompletedProcess:
    done = _edusim(
        ["run", "demo", "--years", "1", "--no-report", "--quiet", "--out", str(tmp_path / name)],
        cache,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_the_module_list_holds_every_cached_kernel():
    declared = {
        ".".join(path.relative_to(SRC).with_suffix("").parts)
        for path in SRC.rglob("*.py")
        if re.search(
            r"^\s*@(numba\.)?n?jit\([^)]*cache=True", path.read_text(encoding="utf-8"), re.M
        )
    }
    assert declared == set(KERNEL_MODULES)
    kernels = cached_kernels()
    assert set(EVERY_RUN) <= set(kernels)
    assert {name.rsplit(".", 1)[0] for name in kernels} == set(KERNEL_MODULES)


@pytest.mark.slow
def test_a_cold_cache_is_announced_once_and_the_warm_up_compiles_what_runs_use(tmp_path):
    run_cache = tmp_path / "by-a-run"
    first = _run_demo(run_cache, tmp_path, "first")
    assert COLD_NOTE in first.stderr
    assert any(run_cache.rglob("*.nbi"))  # the run wrote the cache where it was told
    assert COLD_NOTE not in _run_demo(run_cache, tmp_path, "second").stderr
    after_run = _edusim(["compile", "--check"], run_cache, tmp_path)
    assert after_run.returncode == 0, after_run.stdout

    compiled = tmp_path / "by-the-warm-up"
    check = _edusim(["compile", "--check"], compiled, tmp_path)
    assert check.returncode == 1  # nothing cached yet: every kernel listed
    assert len(check.stdout.splitlines()) == len(cached_kernels()) + 1
    done = _edusim(["compile"], compiled, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kernels compiled and cached" in done.stdout
    check = _edusim(["compile", "--check"], compiled, tmp_path)
    assert check.returncode == 0, check.stdout
    # the warm-up leaves cold at most what a run leaves cold
    assert set(check.stdout.splitlines()[:-1]) <= set(after_run.stdout.splitlines()[:-1])
    assert COLD_NOTE not in _run_demo(compiled, tmp_path, "after").stderr
