"""Plain YAML text (no tags, no aliases) read and written through libyaml where PyYAML
has it: the scenario files, the resolved scenario beside every run, and what reports read
back. Depends on nothing of the simulator, so a report can use it without importing the
scenario schema."""

from __future__ import annotations

from typing import Any

import yaml

MAX_NESTING = 200
"""Deepest nesting of mappings and lists a scenario file may have (real ones: under 10)."""

_OPENINGS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSINGS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _PlainYamlLoader(yaml.SafeLoader):
    """Safe YAML that also refuses anchors and aliases (no alias bombs, no shared nodes)
    and nesting beyond `MAX_NESTING`: the pure-Python parser, used only where PyYAML was
    built without libyaml."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _alias_error(event)
        if self.check_event(*_OPENINGS):
            self._depth += 1
            if self._depth > MAX_NESTING:
                raise RecursionError
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


def _alias_error(event: yaml.Event) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(
        problem="YAML aliases (*name) are not allowed in scenario files; use 'extends:'",
        problem_mark=event.start_mark,
    )


def _refuse_aliases_and_depth(text: str) -> None:
    """One pass over libyaml's events before anything is built: an alias, or nesting
    beyond `MAX_NESTING`, is refused where it occurs. The C composer cannot be hooked as
    the Python one is, and the depth bound is then ours rather than whatever the
    installed libyaml has (0.2.5 stops at 1,000 levels; older ones did not stop)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, _OPENINGS):
            depth += 1
            if depth > MAX_NESTING:
                raise RecursionError
        elif isinstance(event, _CLOSINGS):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise _alias_error(event)


def load_plain_yaml(text: str) -> Any:
    """Safe YAML (plain data: no tags, no aliases) through libyaml when PyYAML has it:
    about ten times faster than the pure-Python parser (0.014 against 0.17 CPU-s for
    base.yaml and hangzhou.yaml, the event pass included), with the same data for every
    YAML file of the repository (tests/test_yaml_text.py). Raises
    yaml.YAMLError, or RecursionError for nesting beyond `MAX_NESTING`."""
    if not yaml.__with_libyaml__:
        return yaml.load(text, Loader=_PlainYamlLoader)
    _refuse_aliases_and_depth(text)
    return yaml.load(text, Loader=yaml.CSafeLoader)


def dump_plain_yaml(data: Any) -> str:
    """Plain data as block YAML, keys in their order, Unicode as is, lines to 100
    characters; libyaml's emitter where PyYAML has it (the same text as the Python one
    for every shipped scenario, a quarter of its time)."""
    dumper = yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
