"""Unit tests of the district rule (县管校聘): senders, receivers, quotas, hosts."""

from __future__ import annotations

import numpy as np

from edusim.policy.district_rotation import (
    receiving_hosts,
    school_areas,
    senders_and_receivers,
    sending_quota,
)


def test_areas_are_district_and_stage_or_the_city_stage_and_skip_private_schools():
    district = np.array([0, 0, 1, 1])
    stage = np.array([0, 1, 0, 1])
    open_public = np.array([True, True, True, False])
    assert school_areas(district, stage, open_public, "district").tolist() == [0, 1, 2, -1]
    assert school_areas(district, stage, open_public, "city").tolist() == [0, 1, 0, -1]


def test_strong_urban_schools_send_and_weak_or_rural_schools_receive():
    quality = np.array([0.4, 0.3, 0.1, 0.0, 0.5, 0.9])
    rural = np.array([False, False, False, False, True, False])
    area = np.array([0, 0, 0, 0, 0, -1])
    senders, receivers = senders_and_receivers(quality, rural, area)
    # median of area 0 is 0.3: schools 0 and 1 send; 2 and 3 are weak; 4 is strong but rural
    assert senders.tolist() == [True, True, False, False, False, False]
    assert receivers.tolist() == [False, False, True, True, True, False]
    assert not (senders & receivers).any()


def test_quota_is_the_share_of_eligible_rounded_without_bias():
    eligible = np.full(20_000, 7)
    uniform = np.random.default_rng(1).random(eligible.size)
    quota = sending_quota(eligible, 0.10, uniform)
    assert set(np.unique(quota)) == {0, 1}
    assert abs(quota.mean() - 0.7) < 0.01


def test_the_strongest_posted_teacher_goes_to_the_weakest_receiver_of_its_area():
    area = np.array([0, 0, 0, 1, 1])
    receivers = np.array([False, True, True, False, True])
    staff = np.array([10, 10, 10, 10, 10])
    strength = np.array([0.5, 0.2, -0.1, 0.3, 0.0])
    teacher_area = np.array([0, 0, 1, 2])
    effectiveness = np.array([0.1, 0.4, 0.2, 0.3])
    hosts = receiving_hosts(teacher_area, effectiveness, area, receivers, staff, strength)
    assert hosts.tolist() == [1, 2, 4, -1]  # area 2 has no receiver
