"""Parameter declaration: every scenario field carries a unit, a source and a description."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


def _is_number(annotation: Any) -> bool:
    """Whether a field holds a number: `int`, `float`, or one of them or None."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_number(arg) for arg in typing.get_args(annotation))
    return annotation in (int, float)


class YesNo(str):
    """A yes/no value found where a number belongs: pydantic would read `true` as 1, so
    it is handed to the number's parser as this text, which refuses it at the field's
    path (`loader.validation_problems` words the message)."""


class Section(BaseModel):
    """A closed, immutable block of a scenario: unknown keys are errors, values never change.

    Every number is finite (infinity and NaN are refused: no parameter means them, and
    they turn a run's metrics into NaN), and a yes/no value is never read as a number.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_yes_no_as_number(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        flagged = {
            key: YesNo(str(value).lower())
            for key, value in data.items()
            if isinstance(value, bool) and key in fields and _is_number(fields[key].annotation)
        }
        return {**data, **flagged} if flagged else data


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    description: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare a scenario parameter with its unit, its source and its admissible range.

    `source` cites POLICY-DIGEST.md, PARAMETER-SOURCES.md or a paper, or says "assumption".
    """
    return Field(
        default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        json_schema_extra={"unit": unit, "source": source},
    )


def entry(
    default: Any = ...,
    *,
    unit: str,
    description: str,
    source: str = "scenario file",
    **constraints: Any,
) -> Any:
    """Declare a structural field (names, dates, lists) with its unit and source."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **constraints,
    )
