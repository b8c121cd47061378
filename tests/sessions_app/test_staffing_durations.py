"""Test and invigilation durations by certification (Pix's 2026 rules), pure arithmetic."""

import pytest

from sessions_app.staffing import (
    CORE_TEST_MINUTES,
    exam_minutes,
    format_minutes,
    invigilation_minutes,
    longest_exam_minutes,
    session_invigilation_minutes,
    with_extra_time,
)


@pytest.mark.parametrize(
    ("label", "minutes"),
    [
        ("", 105),
        ("Pix", 105),
        ("CléA Numérique", 105),  # taken with the core test
        ("CléA Numérique by Pix", 105),
        ("Pix+ Droit", 45),
        ("Pix+ Pro Santé", 45),
        ("Pix+ Édu 1er degré", 90),
        ("Pix+ Édu 2nd degré", 90),
        ("Pix+ Édu CPE", 90),
    ],
)
def test_each_certification_has_its_pix_duration(label, minutes):
    assert exam_minutes(label) == minutes


def test_the_seed_core_case_is_unchanged():
    assert CORE_TEST_MINUTES == 105
    assert invigilation_minutes(False) == 120
    assert invigilation_minutes(True) == 160
    assert invigilation_minutes(True, 120, 40, exam_minutes("Pix")) == 160


@pytest.mark.parametrize(
    ("label", "plain", "extended"),
    [("Pix+ Droit", 60, 78), ("Pix+ Pro Santé", 60, 78), ("Pix+ Édu CPE", 105, 140)],
)
def test_invigilation_follows_the_test(label, plain, extended):
    # 15 minutes around the test; the 40-minute extension in proportion (40 × 45 / 105 → 18).
    assert invigilation_minutes(False, test=exam_minutes(label)) == plain
    assert invigilation_minutes(True, test=exam_minutes(label)) == extended


def test_a_year_parameters_still_apply():
    assert invigilation_minutes(True, base=130, extension=35, test=45) == 45 + 25 + 15
    assert invigilation_minutes(False, base=90, test=45) == 39  # less than the test: prorated


def test_a_room_mixing_certifications_stays_open_for_the_longest():
    assert session_invigilation_minutes(90, 45) == 105  # Édu without, Droit with extra time
    assert session_invigilation_minutes(105, None) == 120
    assert session_invigilation_minutes(45, 45) == 78
    assert session_invigilation_minutes(None, None) == 120  # nobody yet: planned as core Pix
    assert longest_exam_minutes(["Pix+ Droit", "Pix+ Pro Santé"]) == 45
    assert longest_exam_minutes([]) == 105


def test_extra_time_and_text():
    assert with_extra_time(105, 33) == 140  # 139.65 rounded up
    assert with_extra_time(45, 33) == 60  # 59.85
    assert with_extra_time(90, None) == 90
    assert format_minutes(105) == "1 h 45"
    assert format_minutes(90) == "1 h 30"
    assert format_minutes(45) == "45 min"


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        invigilation_minutes(False, base=-1)


def test_every_complementary_certification_offered_has_its_duration():
    """A Pix+ added to the centre's choices without its Pix duration would be planned as 1 h 45."""
    from sessions_app.models import Complementary
    from sessions_app.staffing import TEST_MINUTES

    labels = {label for _code, label in Complementary.choices}
    assert labels - set(TEST_MINUTES) == {"CléA Numérique"}  # taken with the core test
