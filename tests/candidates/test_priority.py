"""Priority tiers and their reasons: plain tests."""

from decimal import Decimal

import pytest

from candidates.priority import priority, profile_advice


def tier(**kw):
    values = {
        "kind": "student",
        "study_year": "L3",
        "average_level": Decimal("5.2"),
        "completed_units": {"pix1", "pix2"},
    }
    values.update(kw)
    return priority(**values)


def test_l3_with_average_5_and_both_units_is_tier_1():
    level, reason = tier()
    assert level == 1
    assert reason.startswith("Priorité 1")
    assert "5,2" in reason


@pytest.mark.parametrize("year", ["L3", "M1", "M2"])
def test_priority_years_with_high_average_and_no_unit_are_tier_2(year):
    level, reason = tier(study_year=year, completed_units=set())
    assert level == 2
    assert "Pix1, Pix2" in reason


def test_both_units_but_low_average_is_tier_2_and_says_why():
    level, reason = tier(average_level=Decimal("3.40"))
    assert level == 2
    assert "3,4" in reason and "au moins 5" in reason


def test_average_just_below_5_does_not_count():
    assert tier(average_level=Decimal("4.99"), completed_units={"pix1"})[0] == 3


def test_l2_with_high_average_and_one_unit_is_tier_3():
    level, reason = tier(study_year="L2", completed_units={"pix2"})
    assert level == 3
    assert "Pix1" in reason and "Pix2" not in reason.split("UEO non validée")[1]


def test_l1_with_both_units_is_tier_2():
    assert tier(study_year="L1")[0] == 2


def test_no_profile_is_explained():
    level, reason = tier(average_level=None, completed_units=set())
    assert level == 3
    assert "pas encore partagé de profil" in reason


def test_staff_and_externals_get_no_student_priority():
    level, reason = tier(kind="staff")
    assert level == 3
    assert "réservée aux étudiants" in reason


TITLES = {f"{a}.{b}": f"Compétence {a}.{b}" for a in range(1, 5) for b in range(1, 5)}


def test_weak_profile_gets_advice_naming_the_weakest_competences():
    levels = dict.fromkeys(TITLES, 2) | {"1.1": 0, "2.2": 1}
    tips = profile_advice(levels, TITLES, max_level=6)
    assert any("encore faible" in t for t in tips)
    assert "1.1 Compétence 1.1 (niveau 0)" in tips[-1] and "2.2" in tips[-1]


def test_strong_profile_gets_no_advice():
    assert profile_advice(dict.fromkeys(TITLES, 4), TITLES, max_level=6) == []


def test_non_certifiable_profile_is_explained():
    levels = dict.fromkeys(TITLES, 0) | {"1.1": 6, "1.2": 6, "1.3": 6, "1.4": 6}
    assert "pas certifiable" in profile_advice(levels, TITLES, max_level=6)[0]


def test_missing_profile_tells_how_to_share_one():
    assert "campagne de collecte" in profile_advice(None, TITLES, max_level=6)[0]
