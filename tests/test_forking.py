"""Forking workers (edusim/forking.py): when it is safe, and workers that end with their
parent."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
import time

from edusim.forking import die_with_parent


def _in_fresh_python(code: str) -> None:
    """Run `code` in a new interpreter: earlier tests of the suite leave Dask's threads
    in this one, where forking is rightly refused whatever tqdm does."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_progress_bars_of_any_tqdm_class_leave_no_thread_behind():
    """A bar of `tqdm.auto.tqdm`, even disabled, starts a monitor thread on that subclass
    (what `run_scenario` uses); `fork_is_safe` stops it and every other class's, so a
    report after a run may fork its renderers."""
    _in_fresh_python(
        """
        import os, threading
        from tqdm import tqdm as std_tqdm
        from tqdm.auto import tqdm as auto_tqdm
        from edusim.forking import fork_is_safe
        def monitors():
            return [t for t in threading.enumerate() if t.name == "tqdm_monitor"]
        for make in (auto_tqdm, std_tqdm):
            with make(total=2, disable=True) as bar:
                bar.update(1)
        with open(os.devnull, "w") as sink, auto_tqdm(total=2, file=sink) as bar:
            bar.update(2)
        assert monitors(), "tqdm started no monitor: the test no longer tests anything"
        assert fork_is_safe()
        assert not monitors() and threading.active_count() == 1
        """
    )


def test_another_thread_makes_forking_unsafe():
    _in_fresh_python(
        """
        import threading
        from edusim.forking import fork_is_safe
        assert fork_is_safe()
        stop = threading.Event()
        other = threading.Thread(target=stop.wait, name="busy")
        other.start()
        try:
            assert not fork_is_safe()
        finally:
            stop.set()
            other.join()
        assert fork_is_safe()
        """
    )


def _orphan(ready) -> None:
    """A middle process: forks a worker that dies with it, reports the worker, exits."""
    context = multiprocessing.get_context("fork")
    worker = context.Process(target=_worker, args=(os.getpid(),), daemon=False)
    worker.start()
    ready.send(worker.pid)  # a pipe's send is done when it returns (a queue's is not)
    os._exit(0)  # without waiting for the worker: it must end by itself


def _worker(parent: int) -> None:
    die_with_parent(parent)
    time.sleep(60)


def test_a_worker_ends_when_its_parent_dies():
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    middle = context.Process(target=_orphan, args=(sending,))
    middle.start()
    assert receiving.poll(30)
    worker = receiving.recv()
    middle.join(timeout=30)
    for _ in range(100):  # the kernel's signal, or the watchdog within a second
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(worker, 9)
    raise AssertionError("the worker outlived its parent by 5 seconds")
