"""What EduModel shows Mesa: seeding as Mesa defines it, Mesa's scenario object, and a
DataCollector whose rows are where `mesa.batch_run` looks for them.

Mesa's own parts that EduModel has to meet, and how they differ across the versions we
support (3.3, 3.4, 3.5):

- Seeding: `seed=` and `rng=` on `mesa.Model` (`root_seed`).
- Scenario: Mesa 3.5 gave `mesa.Model` a `scenario` of its own
  (`mesa.experimental.scenarios.Scenario`: the run's parameters as attributes and its
  `rng`). SolaraViz 3.5 requires `model.scenario` to be one, and on Reset re-creates the
  model as `type(model)(scenario=type(model.scenario)(...), **other_parameters)`, so the
  class of the scenario object has to carry what the model was built from.
  `EduScenario` is that object on every Mesa version: its parameters are the keywords
  the model was given, its class names the edusim scenario (`source`), and anything else
  asked of it (`.name`, `.years`, `.learning`, ...) is read from the resolved edusim
  `Scenario` (`model.resolved_scenario`).
- DataCollector: Mesa 3.3 and 3.4's `batch_run` read the rows of step `model.steps - 1`
  at the end of a run (model values by list position, agent rows by the step they were
  recorded at); Mesa 3.5 reads the steps the collector lists. `SchoolYearCollector`
  labels each row with the school years done before it (0 for the first simulated
  year), so the model's and the schools' rows agree and the last row is the final year
  on all three.
"""

from __future__ import annotations

import functools
import itertools
import math
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import mesa
import numpy as np

from edusim.scenario.schema import MAX_SEED

try:  # Mesa >= 3.5
    from mesa.experimental.scenarios import Scenario as _MesaScenario
except ImportError:  # Mesa 3.3, 3.4: no scenario object; ours stands alone
    _MesaScenario = None

SCENARIO_SEED = "scenario"
"""The default of `EduModel(seed=...)`: the seed the scenario file names."""

DEFAULT_SOURCE = "demo"
"""The edusim scenario of an EduModel (or a Mesa scenario) that names none."""


def fresh_seed() -> int:
    """A new root seed from the operating system's entropy, within the tables' bound."""
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def root_seed(scenario_seed: int, seed: Any = SCENARIO_SEED, rng: Any = None) -> int:
    """The run's root seed from Mesa's two ways of seeding a model.

    `seed`: an integer, None for a fresh seed (Mesa's meaning of None), or `"scenario"`
    (the default) for the scenario file's seed. `rng` (Mesa 3's argument): an integer is
    the root seed; a numpy Generator, BitGenerator, SeedSequence or sequence of integers
    gives one draw as the root seed; None leaves `seed` to decide. Only one may be given.
    The seed used is stored as `model.seed` and in every table's `seed` column.
    """
    if rng is not None and not (isinstance(seed, str) and seed == SCENARIO_SEED):
        raise ValueError("pass either seed or rng, not both (as in mesa.Model)")
    if rng is not None:
        if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
            seed = int(rng)
        else:
            generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
            return int(generator.integers(0, MAX_SEED, endpoint=True, dtype=np.int64))
    if isinstance(seed, str):
        if seed != SCENARIO_SEED:
            raise ValueError(f"seed must be an integer, None or {SCENARIO_SEED!r}, got {seed!r}")
        return scenario_seed
    if seed is None:
        return fresh_seed()
    if (
        isinstance(seed, bool)
        or not isinstance(seed, (int, np.integer))
        or not 0 <= seed <= MAX_SEED
    ):
        raise ValueError(
            f"seed must be an integer from 0 to {MAX_SEED} (2^63 - 1, the largest seed the "
            f"result tables store), got {seed!r}"
        )
    return int(seed)


# -- Mesa's scenario object -----------------------------------------------------------------


class _StandaloneScenario:
    """Mesa 3.5's Scenario interface where Mesa has none (3.3, 3.4): parameters as
    attributes (class-level annotated values are defaults), `rng`, `model`, `to_dict`."""

    _scenario_defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        defaults: dict[str, Any] = {}
        for base in reversed(cls.__mro__):
            for key in getattr(base, "__annotations__", {}):
                if not key.startswith("_") and key in base.__dict__:
                    defaults[key] = base.__dict__[key]
        cls._scenario_defaults = defaults

    def __init__(self, *, rng: Any = None, **kwargs: Any):
        self.model = None
        self.__dict__.update(self._scenario_defaults)
        self.__dict__.update(kwargs)
        self.__dict__["rng"] = rng

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.__dict__.items())

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_ScenarioBase: type = _MesaScenario if _MesaScenario is not None else _StandaloneScenario

_NOT_PARAMETERS = frozenset({"rng", "model", "source", "_scenario_id"})


class EduScenario(_ScenarioBase):
    """An EduModel's scenario as Mesa sees it (`model.scenario`).

    `source` (the edusim scenario's name, file, `Scenario` or mapping) is a class-level
    default: `EduScenario.of("hangzhou")` is the class whose instances build Hangzhou, so
    SolaraViz's Reset, which makes a new instance of the class with no arguments, rebuilds
    the same city. Its other attributes are the model's keyword parameters
    (`learning__peer_effect=0.05`, `years=5`) and `rng` (the root seed used). Any other
    attribute (`.name`, `.years`, `.learning.peer_effect`, ...) is read from the resolved
    edusim `Scenario` of the model it belongs to (`model.resolved_scenario`).

    `EduModel(scenario=EduScenario.of("demo")(rng=3, learning__peer_effect=0.05))` is
    `EduModel("demo", rng=3, learning__peer_effect=0.05)`; a plain Mesa `Scenario` is read
    the same way (its `source`, if any, else the demo city).
    """

    source: Any = DEFAULT_SOURCE

    @staticmethod
    def of(source: Any) -> type[EduScenario]:
        """The EduScenario class whose `source` is `source` (one class per name or file;
        a `Scenario` or mapping is kept on the instance instead, so no class is made per
        model run)."""
        if isinstance(source, Path):
            source = str(source)
        if isinstance(source, str):
            return _scenario_class(source)
        return EduScenario

    def __getattr__(self, name: str) -> Any:
        # called only when the attribute is not a parameter: the resolved scenario answers
        if name.startswith("_") or name == "model":
            raise AttributeError(name)
        try:
            model = object.__getattribute__(self, "model")
        except AttributeError:
            model = None
        resolved = getattr(model, "resolved_scenario", None)
        if resolved is None:
            raise AttributeError(
                f"{type(self).__name__} has no parameter {name!r} and belongs to no model yet"
            )
        return getattr(resolved, name)

    def __repr__(self) -> str:
        parameters = ", ".join(f"{k}={v!r}" for k, v in parameters_of(self).items())
        return f"EduScenario(source={self.source!r}, rng={self.rng!r}, {parameters})"


@functools.cache
def _scenario_class(source: str) -> type[EduScenario]:
    # one class per shipped name or file path: a handful per session
    return type(
        "EduScenario",
        (EduScenario,),
        {"__annotations__": {"source": "Any"}, "source": source, "__module__": __name__},
    )


def is_mesa_scenario(value: Any) -> bool:
    """True for Mesa's scenario objects (and EduScenario on Mesa versions without them)."""
    return isinstance(value, EduScenario) or (
        _MesaScenario is not None and isinstance(value, _MesaScenario)
    )


def parameters_of(scenario: Any) -> dict[str, Any]:
    """A Mesa scenario's parameters: everything but `rng`, `model` and `source`."""
    return {k: v for k, v in dict(iter(scenario)).items() if k not in _NOT_PARAMETERS}


def unpack_mesa_scenario(scenario: Any) -> tuple[Any, dict[str, Any], Any]:
    """(edusim source, keyword parameters, rng) of a Mesa scenario given to EduModel."""
    source = scenario.__dict__.get("source", getattr(type(scenario), "source", DEFAULT_SOURCE))
    return source, parameters_of(scenario), scenario.__dict__.get("rng")


# -- the DataCollector --------------------------------------------------------------------


class SchoolYearCollector(mesa.DataCollector):
    """Mesa's DataCollector, its rows labelled by the school years done before them.

    Row k (model values, and every school's agent row) is the state after school year
    k + 1, whatever Mesa version records it (3.3 keys agent rows by `model.steps`, 3.4
    and 3.5 by `model.time`): the last row is `model.steps - 1`, which is what
    `mesa.batch_run` reads at the end of a run on Mesa 3.3 and 3.4, and the step Mesa 3.5
    lists last. EduModel collects once per school year (never the city as built, which is
    the `start_year` row of `model.tables()`).
    """

    def _new_agent_reporter(self, name: str, reporter: Any) -> None:
        """Mesa's, remembering each reporter as given (`_record_agents` reads the names)."""
        super()._new_agent_reporter(name, reporter)
        self.__dict__.setdefault("_given_reporters", {})[name] = reporter

    def _record_agents(self, model: mesa.Model, *args: Any, **kwargs: Any) -> Any:
        """The agent rows Mesa's collector makes, `(step, agent id, *reports)` per agent,
        from the model's columns when every reporter is an attribute name the model gives
        as a column (`EduModel.agent_columns`: one pass over the school table per
        attribute instead of one property call per agent and reporter), else Mesa's own.

        The first time, both are made and compared (ids and reports, value and type):
        a Mesa whose own rows differ (a version that builds them otherwise) keeps its own
        path for the collector's life."""
        columns = None
        if not args and not kwargs and self.__dict__.get("_columns_agree", True):
            given = self.__dict__.get("_given_reporters", {})
            attributes = [given.get(name) for name in self.agent_reporters]
            columns_of = getattr(model, "agent_columns", None)
            if columns_of and attributes and all(isinstance(a, str) for a in attributes):
                columns = columns_of(attributes)
        if columns is None:
            return super()._record_agents(model, *args, **kwargs)
        ids = [agent.unique_id for agent in model.agents]
        rows = list(zip(itertools.repeat(model.steps, len(ids)), ids, *columns, strict=True))
        if "_columns_agree" not in self.__dict__:
            own = list(super()._record_agents(model))
            self._columns_agree = _same_rows(own, rows)
            return own
        return rows

    def collect(self, model: mesa.Model) -> None:
        """Record the model and agent reporters, labelled `model.steps - 1`."""
        label = model.steps - 1
        super().collect(model)
        steps = getattr(self, "_collection_steps", None)  # Mesa >= 3.4
        if steps:
            steps[-1] = label
        for records in (self._agent_records, getattr(self, "_agenttype_records", {})):
            if not records:
                continue
            key = next(reversed(records))  # the entry collect() just wrote
            entry = records.pop(key)
            if isinstance(entry, dict):  # agent-type reporters: {type: rows}
                entry = {kind: [(label, *r[1:]) for r in rows] for kind, rows in entry.items()}
            else:
                entry = AgentRows(label, entry)
            records[label] = entry


def _same_rows(own: list[Any], made: list[tuple[Any, ...]]) -> bool:
    """Whether Mesa's own agent rows and the rows made from columns agree past their first
    element (the step, which `SchoolYearCollector.collect` relabels): the same ids and
    reports, of the same Python types (NaN agreeing with NaN)."""

    def same(a: Any, b: Any) -> bool:
        if type(a) is not type(b):
            return False
        if isinstance(a, tuple):
            return len(a) == len(b) and all(map(same, a, b))
        return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))

    return len(own) == len(made) and all(
        isinstance(row, tuple) and same(row[1:], other[1:])
        for row, other in zip(own, made, strict=True)
    )


class AgentRows(Sequence[tuple[Any, ...]]):
    """One collection's agent rows, `(step, agent id, *reported values)`, kept as columns.

    Mesa keeps a tuple of Python objects per agent and year (about 600 bytes a school, 45
    MiB over 20 years of a city eight times Hangzhou's size). Here each reporter's values
    are an array when they are all numbers of one type, codes into their distinct values
    when they are text, an (n, 2) array for positions, and a mask where some are None;
    read back, the rows are the tuples Mesa made, value for value and type for type (a
    reporter of mixed values is kept as its list)."""

    def __init__(self, step: Any, rows: list[tuple[Any, ...]]) -> None:
        self.step = step
        self._size = len(rows)
        columns = list(zip(*rows, strict=True)) if rows else []
        self._columns = [_compact(list(values)) for values in columns[1:]]

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        values = [_expand(column, self._size) for column in self._columns]
        for row in zip(*values, strict=True) if values else ():
            yield (self.step, *row)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return list(self)[index]


_PAIR = "pair"


def _compact(values: list[Any]) -> tuple[str, Any, np.ndarray | None]:
    """(kind, data, None mask) of one reporter's values (see `AgentRows`)."""
    missing = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    present = [v for v in values if v is not None]
    types = {type(v) for v in present}
    mask = missing if missing.any() else None
    if len(types) == 1:
        (kind,) = types
        if kind in (int, float, bool):
            try:
                data = np.array(present, dtype={int: np.int64, float: np.float64, bool: bool}[kind])
            except OverflowError:  # an int beyond 64 bits: kept as it is
                return "list", values, None
            return kind.__name__, data, mask
        if kind is str:
            distinct: dict[str, int] = {}
            codes = np.array([distinct.setdefault(v, len(distinct)) for v in present], np.int32)
            # interned: the same names every year are one string each, not one a year
            return "str", ([sys.intern(word) for word in distinct], codes), mask
        if kind is tuple and all(
            len(v) == 2 and type(v[0]) is float and type(v[1]) is float for v in present
        ):
            return _PAIR, np.array(present, dtype=np.float64).reshape(-1, 2), mask
    return "list", values, None


def _expand(column: tuple[str, Any, np.ndarray | None], size: int) -> list[Any]:
    """A compacted reporter's values as the list of Python objects it was."""
    kind, data, mask = column
    if kind == "list":
        return data
    if kind == "str":
        words, codes = data
        present = [words[code] for code in codes.tolist()]
    elif kind == _PAIR:
        present = [(x, y) for x, y in data.tolist()]
    else:
        present = data.tolist()
    if mask is None:
        return present
    values: list[Any] = [None] * size
    for position, value in zip(np.flatnonzero(~mask).tolist(), present, strict=True):
        values[position] = value
    return values
