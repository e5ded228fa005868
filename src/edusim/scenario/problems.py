"""What is wrong with a scenario, located by YAML path: `Problem`, `ScenarioError`, and
pydantic's validation errors rewritten in words a researcher reads.

Every failure to read a scenario ends as a `ScenarioError` listing problems with the YAML
path of each, so the CLI can print them and exit 2 without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from edusim.scenario.fields import YesNo
from edusim.scenario.schema import MAX_SEED


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located by its YAML path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(Exception):
    """A scenario that cannot be used; carries every problem found."""

    def __init__(self, source: str, problems: Iterable[Problem]):
        self.source = source
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"invalid scenario {self.source}:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


def format_path(location: Iterable[Any]) -> str:
    """Render a location tuple as a YAML path: ('city', 'districts', 2, 'name') -> city.districts[2].name."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def validation_problems(
    error: ValidationError,
    *,
    reference: str = "scenarios/base.yaml",
    tags: tuple[str, ...] = (),
    tag_hint: str = "",
) -> list[Problem]:
    """Every pydantic error as a Problem at its YAML path, in words a researcher reads.

    `reference` is where valid keys are documented; `tags` are discriminator values that
    pydantic puts into locations but the YAML does not have; `tag_hint` replaces the
    message when such a tag is missing.
    """
    problems = []
    errors = error.errors()
    locations = {tuple(item["loc"]) for item in errors}
    for item in errors:
        location = tuple(item["loc"])
        has_item_errors = any(
            other[: len(location)] == location and len(other) > len(location) for other in locations
        )
        if item["type"] == "too_short" and has_item_errors:
            continue  # the container is only short because its invalid items were dropped
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown key (check the spelling; see {reference})"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] == "union_tag_not_found" and tag_hint:
            message = tag_hint
        elif isinstance(item.get("input"), YesNo):
            message = f"expected a number, got the yes/no value {item['input']}"
        elif item["type"] == "less_than_equal" and location == ("seed",):
            message = (
                f"must be at most {MAX_SEED} (2^63 - 1), the largest seed the result tables "
                f"store (got {item['input']!r})"
            )
        elif item["type"] == "finite_number":
            message = f"must be a finite number (got {item['input']!r})"
        elif "input" in item and item["type"] not in ("model_type", "value_error"):
            message = f"{message} (got {item['input']!r})"
        path = format_path(part for part in location if part not in tags)
        problems.append(Problem(path, message))
    return problems
