"""The metrics: every outcome the model reports, registered by concept.

`registry` holds the registry and its documentation; the concept modules register their
metrics when imported (alphabetically, as the linter sorts them), which gives the row order
of every result table.
"""

from edusim.metrics import (  # noqa: F401  (registration, in alphabetical order of module)
    choice,
    gaps,
    groups,
    housing,
    leaders,
    money,
    population,
    satisfaction,
    sorting,
    teachers,
)
from edusim.metrics.common import cv, learning_years, open_public, quartile_gap, quartile_gap_by
from edusim.metrics.housing import catchment_premium_cny
from edusim.metrics.registry import (
    METRICS,
    SCALE_MEAN,
    SCALE_SD,
    Metric,
    compute_all,
    metric,
    metric_info_json,
    metrics_markdown,
    register,
)
from edusim.metrics.teachers import school_backbone_share, school_teacher_counts

__all__ = [
    "METRICS",
    "SCALE_MEAN",
    "SCALE_SD",
    "Metric",
    "catchment_premium_cny",
    "compute_all",
    "cv",
    "learning_years",
    "metric",
    "metric_info_json",
    "metrics_markdown",
    "open_public",
    "quartile_gap",
    "quartile_gap_by",
    "register",
    "school_backbone_share",
    "school_teacher_counts",
]
