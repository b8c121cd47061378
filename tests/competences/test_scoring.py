from decimal import Decimal

import pytest

from competences import scoring


def test_one_level_is_worth_eight_pix():
    assert scoring.pix_for_level(1) == 8
    assert scoring.pix_for_level(5) == 40


@pytest.mark.parametrize(("max_level", "expected"), [(6, 768), (8, 1024)])
def test_max_score_follows_the_max_level(max_level, expected):
    assert scoring.max_score(max_level) == expected


@pytest.mark.parametrize(("setting", "expected"), [(6, 768), (8, 1024)])
def test_max_score_reads_the_pix_max_level_setting(settings, setting, expected):
    settings.PIX_MAX_LEVEL = setting
    assert scoring.max_score() == expected


def test_competence_pix_are_capped_at_the_max_level():
    assert scoring.capped_pix(55, 6) == 48
    assert scoring.capped_pix(55, 8) == 55
    assert scoring.level_for_pix(55, 6) == 6
    assert scoring.level_for_pix(55, 8) == 6
    assert scoring.level_for_pix(70, 8) == 8


def test_level_is_the_floor_of_pix_over_eight():
    assert scoring.level_for_pix(0, 6) == 0
    assert scoring.level_for_pix(7, 6) == 0
    assert scoring.level_for_pix(8, 6) == 1
    assert scoring.level_for_pix(39, 6) == 4


def test_profile_total_sums_capped_competence_pix():
    assert scoring.profile_total([10, 60, 0], 6) == 10 + 48
    assert scoring.profile_total([48] * 16, 6) == 768


def test_negative_values_are_refused():
    with pytest.raises(ValueError):
        scoring.capped_pix(-1, 6)
    with pytest.raises(ValueError):
        scoring.pix_for_level(-1)


def test_certifiable_needs_five_competences_at_level_one_or_more():
    assert not scoring.is_certifiable([1, 1, 1, 1, 0] + [0] * 11)
    assert scoring.is_certifiable([1, 1, 1, 1, 1] + [0] * 11)
    assert scoring.certifiable_competences([2, 0, 3]) == 2


def test_average_level_is_over_all_sixteen_competences():
    assert str(scoring.average_level([5] * 16)) == "5.00"
    assert str(scoring.average_level([6] * 8)) == "3.00"


@pytest.mark.parametrize(
    "stored, shown",
    [("3.06", "3,1"), ("3.05", "3,1"), ("3.04", "3,0"), ("2.95", "3,0"), ("5", "5,0"), (None, "—")],
)
def test_an_average_level_is_shown_with_one_decimal_rounded_half_up(stored, shown):
    from django.utils import translation

    from competences.scoring import format_average

    with translation.override("fr"):
        assert format_average(Decimal(stored) if stored else None) == shown
    with translation.override("en"):
        assert format_average(Decimal(stored) if stored else None) == shown.replace(",", ".")
