"""Giving freed memory back to the system.

glibc keeps the pages of freed blocks in its heap for later allocations, and numpy's
arrays of a few megabytes come from that heap once large blocks have been freed (glibc
raises its threshold for mapping blocks of their own as they are freed). A process that
frees a large table and then allocates another keeps both sets of pages resident, so its
peak counts memory no longer in use. `give_back_freed_memory` returns those pages
(`malloc_trim(0)`) where glibc is the allocator and does nothing elsewhere.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable


@functools.cache
def malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where there is none (macOS, musl, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def give_back_freed_memory() -> None:
    """Return the freed pages of the heap to the system (no effect on any value)."""
    trim = malloc_trim()
    if trim is not None:
        trim(0)
