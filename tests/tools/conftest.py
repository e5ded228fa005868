"""The repository's scripts (benchmarks/, tools/) as modules for their tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_script(path: Path) -> ModuleType:
    """Import a script that is not in a package, under its file's stem (registered in
    `sys.modules`, as dataclasses and pickling in it may need)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(path.stem, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench() -> ModuleType:
    """benchmarks/bench_hangzhou.py."""
    return load_script(ROOT / "benchmarks" / "bench_hangzhou.py")


@pytest.fixture(scope="session")
def drift() -> ModuleType:
    """tools/premium_drift.py."""
    return load_script(ROOT / "tools" / "premium_drift.py")
