"""Worker processes: they die with the process that started them (`die_with_parent`,
edusim/forking.py), and a script that would make every worker run the experiment again
is caught before any is started. (The kernel's parent-death signal follows the *thread*
that started the worker; the runner starts its workers from the thread that iterates
the outcomes and keeps that thread until the pool is shut down.)

The `__main__` guard. Workers are started with "spawn": each imports the main script
again as `__mp_main__`. A script that starts an experiment outside
`if __name__ == "__main__":` would start it again in every worker, where
multiprocessing refuses and the worker dies. `unguarded_main_line` finds that case in
the parent, from the statement of the main script that is running now.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import FrameType

from edusim.forking import die_with_parent

__all__ = ["die_with_parent", "unguarded_main_line"]


def _rerun_by_spawn(main: object) -> Path | None:
    """The file a spawned worker runs again as `__mp_main__`, if any (multiprocessing's
    own rules: packages' `__main__` modules and IPython are left alone)."""
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None and (name == "__main__" or name.endswith(".__main__")):
        return None
    path = getattr(main, "__file__", None)
    if path is None:
        return None
    path = Path(path).resolve()
    if name is None and path.stem == "ipython":
        return None
    return path


def _running_line(path: Path, main_globals: dict) -> int | None:
    """The line the main script's module body is executing now (None once it is done)."""
    frame: FrameType | None = sys._getframe(1)
    line = None
    while frame is not None:
        code = frame.f_code
        if (
            frame.f_globals is main_globals
            and code.co_name == "<module>"
            and Path(code.co_filename).resolve() == path
        ):
            line = frame.f_lineno
        frame = frame.f_back
    return line


def _is_main_guard(node: ast.AST) -> bool:
    """`if __name__ == "__main__":` in any spelling that names both."""
    if not isinstance(node, ast.If):
        return False
    names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
    texts = {n.value for n in ast.walk(node.test) if isinstance(n, ast.Constant)}
    return "__name__" in names and "__main__" in texts


def _spans(body: list[ast.stmt], line: int) -> bool:
    return bool(body) and body[0].lineno <= line <= (body[-1].end_lineno or body[-1].lineno)


def unguarded_main_line() -> tuple[Path, int] | None:
    """Where the main script is starting worker processes outside its `__main__` guard:
    (file, line of the running top-level statement), or None if spawning is safe."""
    main = sys.modules.get("__main__")
    path = _rerun_by_spawn(main)
    if path is None:
        return None
    line = _running_line(path, vars(main))
    if line is None:
        return None
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None  # cannot tell: let the pool try
    for node in ast.walk(tree):
        if _is_main_guard(node) and _spans(node.body, line):
            return None
    for statement in tree.body:
        if statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            return path, statement.lineno
    return None
