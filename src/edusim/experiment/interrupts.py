"""Ctrl-C that lands inside a compiled kernel.

Python turns a SIGINT into KeyboardInterrupt when it next checks for signals. If that
check happens inside numba's dispatcher (while it reads a call's arguments), the
dispatcher returns with the KeyboardInterrupt pending and Python raises SystemError
("CPUDispatcher(...) returned a result with an exception set") caused by it. Seen on CI
(2026-11-29): `edusim run` interrupted through the resident server ended "failed:
SystemError" with exit 1 instead of "interrupted" (130); in an experiment the same
SystemError would have been stored as the run's failure. `user_interrupt` finds the
Ctrl-C behind such an error, so that it is handled as one.
"""

from __future__ import annotations


def user_interrupt(error: BaseException) -> KeyboardInterrupt | None:
    """The KeyboardInterrupt that `error` is, or that caused it (following `__cause__`,
    then `__context__`, once through each exception), or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
