"""measured.json is current: every pattern's figures were measured with this model."""

from __future__ import annotations

from edusim.experiment.plan import model_fingerprint

from .measured import MEASURED_BY, RE_MEASURE, recorded


def test_every_pattern_was_measured_with_the_current_model():
    patterns = recorded().get("patterns", {})
    stale = sorted(
        name
        for name in MEASURED_BY
        if patterns.get(name, {}).get("fingerprint") != model_fingerprint()
    )
    assert stale == [], (
        f"the model changed since {', '.join(stale)} were measured: run {RE_MEASURE}, "
        "read the diff of tests/patterns/measured.json and check the bands"
    )


def test_nothing_is_recorded_for_a_measurement_that_no_longer_exists():
    assert sorted(set(recorded().get("patterns", {})) - set(MEASURED_BY)) == []
