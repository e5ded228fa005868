"""Worker processes that end with the process that started them, and when forking is
safe: shared by the experiment runner's workers, the report's renderers and the
counterfactual run side by side with its reform.

Dying with the parent. A parent killed with SIGKILL (as the out-of-memory killer does)
cannot shut its pool down, so each worker looks after itself from its initializer: on
Linux it asks the kernel for SIGKILL when its parent dies (`prctl(PR_SET_PDEATHSIG)`),
and everywhere a daemon thread checks once a second whether its parent changed and ends
the process if so. Once the workers are gone the multiprocessing resource tracker sees
its pipe close and exits too. (The kernel signal follows the *thread* that started the
worker: pools are started from a thread that lives until they are shut down.)
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
"""prctl option: the signal this process gets when its parent dies (linux/prctl.h)."""

WATCH_SECONDS = 1.0
"""How often a worker's watchdog checks that its parent is alive."""


def _parent_death_signal() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this process as soon as `parent_pid` (its parent) dies."""
    _parent_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="edusim-parent-watch", daemon=True
    ).start()


def fork_is_safe() -> bool:
    """Whether this process may fork workers: the platform forks and no other thread
    runs (a forked child holds only the thread that forked, with any lock another held).
    Progress bars leave tqdm's monitor threads idle, so they are stopped first (tqdm
    starts a new one when needed)."""
    _stop_tqdm_monitors()
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _stop_tqdm_monitors() -> None:
    """Stop the monitor thread of every tqdm class. Each class keeps its own: a bar of
    `tqdm.auto.tqdm` (a subclass), even a disabled one, starts one on that subclass, so
    stopping only `tqdm.tqdm`'s (as this did before 2026-11-28) left it running, and a
    report written after `edusim run` rendered its figures one by one."""
    std = sys.modules.get("tqdm.std")
    if std is None:
        return
    classes = [std.tqdm]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        monitor = cls.__dict__.get("monitor")
        if monitor is not None:
            monitor.exit()  # joins the thread
            cls.monitor = None
