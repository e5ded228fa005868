"""The model's result tables as frames: the yearly snapshots of the schools and of the
group memberships, the city's map and the real map's boundaries for figures, and the event
log; `EduModel.record` takes the snapshots each year, `EduModel.tables` joins them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from edusim.agents.groups import ROLE_NAMES
from edusim.event_log import EventLog
from edusim.metrics import catchment_premium_cny, school_backbone_share, school_teacher_counts
from edusim.phases.satisfaction import school_satisfaction

if TYPE_CHECKING:
    from edusim.model import EduModel


def school_snapshot(model: EduModel, observed_year: int) -> pd.DataFrame:
    """The schools table's rows of `observed_year`: every school's state, its tightest
    group, its catchment's premium and its place in the lifecycle."""
    table = model.school_table
    group_id, group_kind, group_role = model.groups.headline(len(table))
    return pd.DataFrame(
        {
            "year": observed_year,
            "school": np.arange(len(table)),
            "name": table.name,
            "stage": np.where(table.stage == 0, "primary", "junior"),
            "district": np.array(model.geography.district_names)[table.district],
            "town": table.town,
            "famous": table.famous,
            "owner": np.array(["city", "district", "county"])[table.owner],
            "rural": table.rural,
            "sector": np.where(table.private, "private", "public"),
            "fee_cny_per_year": table.fee_cny_per_year,
            "quality": table.teaching_quality,
            "reputation": table.reputation,
            "enrollment": table.enrollment,
            "capacity": table.capacity,
            "entry_capacity": table.entry_capacity,
            "mean_achievement": table.mean_achievement,
            "evaluation_score": table.evaluation_score,
            "satisfaction": school_satisfaction(model),
            "teachers": school_teacher_counts(model),
            "backbone_share": school_backbone_share(model),
            "group_id": group_id,
            "group_kind": group_kind,
            "group_role": ROLE_NAMES[group_role].astype(str),
            "premium_share": table.premium_share,
            "premium_cny": catchment_premium_cny(model),
            "premium_cny_per_m2": catchment_premium_cny(model) / model.params.housing.flat_size_m2,
            "x_km": table.x_km,
            "y_km": table.y_km,
            "open": table.active,
            "opened_year": table.opened_year,
            "closed_year": table.closed_year,
            "feeds": np.where(table.feeds >= 0, table.name[np.maximum(table.feeds, 0)], ""),
            "nine_year": table.nine_year,
        }
    )


def membership_snapshot(model: EduModel, observed_year: int) -> pd.DataFrame:
    """Every group membership in force: a school in several groups (a vertical group and
    a community, say) has a row for each, where the schools table keeps its tightest."""
    columns = model.groups.memberships()
    school = columns.pop("school")
    frame = pd.DataFrame(
        {
            "year": np.full(school.size, observed_year, dtype=np.int64),
            "school": school,
            "name": model.school_table.name[school],
            **columns,
        }
    )
    return frame.astype({"name": str, "group_name": str, "group_kind": str, "role": str})


def city_table(model: EduModel) -> pd.DataFrame:
    """The map for figures: per residential cell its position, side, district and
    catchment school of each stage (-1: none)."""
    geo, catchment = model.geography, model.catchments.cell_school
    return pd.DataFrame(
        {
            "cell": np.arange(geo.n_cells),
            "district": np.array(geo.district_names)[geo.cell_district],
            "x_km": geo.cell_x,
            "y_km": geo.cell_y,
            "size_km": np.sqrt(geo.cell_area_km2),
            "primary_school": catchment[0],
            "junior_school": catchment[1],
        }
    )


def boundaries_table(model: EduModel) -> pd.DataFrame:
    """The real map for figures: one row per point of each ring of a district's land
    (kind 'district', its name and Chinese name) and of the water around the city
    (kind 'water'), in km on the city's plane (world/real_map.py)."""
    from edusim.world.real_map import boundary_rows

    columns = ["kind", "district", "name_zh", "ring", "x_km", "y_km"]
    return pd.DataFrame(boundary_rows(model.resolved_scenario.city), columns=columns)


def with_keys(frame: pd.DataFrame, keys: Mapping[str, Any]) -> pd.DataFrame:
    """`frame` with the run's keys (scenario, replicate, seed) as its first columns."""
    for position, (column, value) in enumerate(keys.items()):
        frame.insert(position, column, value)
    return frame


def events_table(log: EventLog) -> pd.DataFrame:
    """The event log as a table, its details as JSON text (`event_log.detail_json`);
    built column by column, not from a dictionary per event (at eight times Hangzhou
    about 145,000 events)."""
    return pd.DataFrame(log.columns(), columns=["year", "kind", "label", "detail"])
