"""Process rules on hand-built inputs, for mutants of `processes/` that survived
`tools/mutation.py` (docs/testing.md): the sign of an entrant's own shock, and a rule
change whose announcement date comes from the default lead."""

from __future__ import annotations

import numpy as np

from edusim.processes.expectations import rule_news_years
from edusim.processes.learning import entry_achievement
from edusim.scenario.expectations import ExpectationParams
from edusim.scenario.learning import LearningParams
from edusim.scenario.timeline import TimelineEvent


def test_entry_achievement_adds_the_childs_own_shock():
    # rho 0.6: 0.6 * ses + sqrt(1 - 0.36) * shock = 0.6 * ses + 0.8 * shock
    params = LearningParams(entry_ses_effect=0.6)
    got = entry_achievement(np.array([1.0, 0.0]), np.array([1.0, -1.0]), params)
    assert np.allclose(got, [1.4, -0.8])


def test_an_undated_rule_change_is_read_when_the_default_lead_is_long_enough():
    # takes effect 1 September 2021; families decide a month before (1 August): announced by
    # default 4 months before (1 May) it is read; announced on the day (lead 0) it is not
    event = TimelineEvent(date="2021-09-01", set={"enrollment.rule": "zones"})
    early = ExpectationParams(
        model="rule_aware", decision_lead_months=1, announcement_lead_months=4
    )
    late = ExpectationParams(model="rule_aware", decision_lead_months=1, announcement_lead_months=0)
    assert rule_news_years([event], early) == {2021}
    assert rule_news_years([event], late) == set()
