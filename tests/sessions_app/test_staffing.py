"""Invigilator counts and minutes (issue 5): 0, 1, 20, 21 and 40 confirmed candidates, with and
without a candidate on extra time."""

import pytest

from sessions_app.staffing import invigilation_minutes, invigilators_needed


@pytest.mark.parametrize(
    ("confirmed", "expected"), [(0, 0), (1, 1), (19, 1), (20, 1), (21, 2), (40, 2), (41, 3)]
)
def test_one_invigilator_per_started_block_of_twenty(confirmed, expected):
    assert invigilators_needed(confirmed) == expected


def test_ratio_is_an_argument():
    assert invigilators_needed(21, per_invigilator=10) == 3
    assert invigilators_needed(30, per_invigilator=15) == 2


@pytest.mark.parametrize("bad", [(-1, 20), (5, 0)])
def test_nonsense_counts_are_refused(bad):
    with pytest.raises(ValueError):
        invigilators_needed(*bad)


def test_two_hours_without_extra_time():
    assert invigilation_minutes(False) == 120


def test_forty_more_minutes_when_a_candidate_has_extra_time():
    assert invigilation_minutes(True) == 160


def test_minutes_are_arguments():
    assert invigilation_minutes(True, base=90, extension=30) == 120
    assert invigilation_minutes(False, base=90, extension=30) == 90


@pytest.mark.parametrize(
    ("confirmed", "extra_time", "invigilators", "minutes"),
    [
        (0, False, 0, 0),
        (0, True, 0, 0),
        (1, False, 1, 120),
        (1, True, 1, 160),
        (20, False, 1, 120),
        (20, True, 1, 160),
        (21, False, 2, 240),
        (21, True, 2, 320),
        (40, False, 2, 240),
        (40, True, 2, 320),
    ],
)
def test_invigilator_minutes_of_a_session(confirmed, extra_time, invigilators, minutes):
    needed = invigilators_needed(confirmed)
    assert needed == invigilators
    assert needed * invigilation_minutes(extra_time) == minutes


def test_settings_hold_the_same_defaults(settings):
    """The settings documented for operators are the functions' defaults."""
    assert invigilators_needed(settings.PIX_CANDIDATES_PER_INVIGILATOR) == 1
    assert invigilators_needed(settings.PIX_CANDIDATES_PER_INVIGILATOR + 1) == 2
    assert invigilation_minutes(False) == settings.PIX_INVIGILATION_MINUTES
    assert (
        invigilation_minutes(True) - invigilation_minutes(False)
        == settings.PIX_EXTRA_TIME_EXTENSION_MINUTES
    )
