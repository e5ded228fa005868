"""Parameter declaration: every scenario field carries a unit, a source and a description."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """A closed, immutable block of a scenario: unknown keys are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
