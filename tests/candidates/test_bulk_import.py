"""The profile import's one-pass write path (candidates/services/bulk.py): tuples straight to
the tables, scores and tiers computed from the rows, a constant number of queries."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import services
from candidates.models import (
    AcademicYear,
    Candidate,
    PositioningProfile,
    PreparationUnit,
    ProfileImport,
    UnitEnrolment,
)
from candidates.services import bulk

from .conftest import NOW, make_export, participant

pytestmark = pytest.mark.django_db

EARLY = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC)


def run(data, **kw):
    return services.import_profiles(data, file_name="export.csv", now=NOW, **kw)


def test_insert_rows_stores_each_type_and_fills_the_model_defaults():
    [cid] = bulk.insert_rows(
        Candidate,
        ("kind", "birth_name", "first_name", "external_id", "average_level", "is_certifiable"),
        [("student", "Lefèvre", "Zoé", "21990001", Decimal("4.25"), True)],
        now=NOW,
        returning=True,
    )
    c = Candidate.objects.get(pk=cid)
    assert (c.birth_name, c.first_name, c.average_level, c.is_certifiable) == (
        "Lefèvre",
        "Zoé",
        Decimal("4.25"),
        True,
    )
    assert c.birth_country == "France"  # a model default nobody passed
    assert c.created_at == NOW  # auto_now_add takes the injected time
    assert c.priority_tier is None and c.total_pix is None
    bulk.insert_rows(
        PositioningProfile,
        (
            "candidate_id",
            "measured_at",
            "campaign_id",
            "levels",
            "pix",
            "total_pix",
            "certifiable_competences",
            "is_certifiable",
            "average_level",
        ),
        [(cid, LATE, "C1", {"1.1": 3, "é": 1}, {"1.1": 24}, 24, 2, False, Decimal("0.25"))],
        now=NOW,
    )
    p = PositioningProfile.objects.get(candidate_id=cid)
    assert p.levels == {"1.1": 3, "é": 1} and p.pix == {"1.1": 24}
    assert p.measured_at == LATE and p.created_at == NOW and p.source_import is None


def test_returned_ids_follow_the_rows_order_across_batches(monkeypatch):
    monkeypatch.setattr(bulk, "_sqlite_max_params", lambda: 30)  # several statements on SQLite
    rows = [("student", f"Nom{n:03d}", "A", f"3{n:07d}") for n in range(40)]
    ids = bulk.insert_rows(
        Candidate,
        ("kind", "birth_name", "first_name", "external_id"),
        rows,
        now=NOW,
        returning=True,
    )
    assert [Candidate.objects.get(pk=i).birth_name for i in ids] == [r[1] for r in rows]


def test_update_rows_sets_each_row_its_own_values():
    ids = bulk.insert_rows(
        Candidate,
        ("kind", "birth_name", "first_name"),
        [("student", "A", "a"), ("student", "B", "b"), ("student", "C", "c")],
        now=NOW,
        returning=True,
    )
    bulk.update_rows(
        Candidate,
        ("total_pix", "average_level", "priority_reason", "scores_computed_at"),
        [(ids[0], 10, Decimal("1.50"), "x", LATE), (ids[2], None, None, "", None)],
    )
    a, b, c = (Candidate.objects.get(pk=i) for i in ids)
    assert (a.total_pix, a.average_level, a.priority_reason, a.scores_computed_at) == (
        10,
        Decimal("1.50"),
        "x",
        LATE,
    )
    assert (b.total_pix, c.total_pix, c.priority_reason) == (None, None, "")


def test_values_in_matches_like_a_plain_in():
    ids = bulk.insert_rows(
        Candidate,
        ("kind", "birth_name", "first_name", "external_id"),
        [
            ("student", "O'Brien", "a", "x;1"),
            ("student", "B", "b", 'é"2'),
            ("student", "C", "c", ""),
        ],
        now=NOW,
        returning=True,
    )
    found = Candidate.objects.filter(
        external_id__in=bulk.values_in(["x;1", 'é"2', "zz"], "varchar")
    )
    assert sorted(found.values_list("pk", flat=True)) == ids[:2]
    assert list(Candidate.objects.filter(pk__in=bulk.values_in([ids[2]], "bigint"))) == [
        Candidate.objects.get(pk=ids[2])
    ]


def test_scores_and_tiers_come_with_the_import_without_a_score_task(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run(make_export([participant(1, pix=44, year="M1"), participant(2, pix=None)]))
    assert callbacks == []  # nothing left to compute after commit
    with_profile = Candidate.objects.get(external_id="22000001")
    assert (with_profile.total_pix, with_profile.average_level) == (16 * 44, Decimal("5.00"))
    assert with_profile.is_certifiable and with_profile.priority_tier == 2
    assert with_profile.scores_computed_at == NOW and "M1" in with_profile.priority_reason
    without = Candidate.objects.get(external_id="22000002")
    assert without.priority_tier == 3 and without.total_pix is None


def test_an_older_snapshot_is_kept_in_history_but_the_newest_still_decides():
    run(make_export([participant(1, pix=44, year="M1", sent_at=LATE)]))
    r = run(make_export([participant(1, pix=8, year="M1", sent_at=EARLY)]))
    assert (r.created_count, r.updated_count) == (0, 1)
    c = Candidate.objects.get(external_id="22000001")
    assert c.profiles.count() == 2
    assert (c.total_pix, c.average_level, c.priority_tier) == (16 * 44, Decimal("5.00"), 2)


def test_completed_units_of_an_existing_candidate_count_in_the_import():
    year = AcademicYear.objects.create(
        label="2025-2026", start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31)
    )
    c = Candidate.objects.create(
        kind="student", birth_name="Nom1", first_name="Prénom1", external_id="22000001"
    )
    for code in ("pix1", "pix2"):
        unit = PreparationUnit.objects.create(code=code, academic_year=year, semester=1)
        UnitEnrolment.objects.create(unit=unit, candidate=c, courses_completed=unit.course_count)
    run(make_export([participant(1, pix=44, year="M1")]))
    c.refresh_from_db()
    assert c.study_year == "M1"  # filled from the group, and counted for the tier at once
    assert c.priority_tier == 1


def test_the_import_takes_the_same_number_of_queries_for_10_or_300_rows():
    def count(n, offset):
        data = make_export([participant(offset + i) for i in range(n)])
        with CaptureQueriesContext(connection) as queries:
            r = run(data)
        assert r.candidates_created_count == n
        return len(queries)

    assert count(10, 0) == count(300, 1000)


def test_the_progress_bar_sees_every_row(monkeypatch):
    seen = []
    data = make_export([participant(i) for i in range(5)])
    monkeypatch.setattr(services.profiles, "PROGRESS_EVERY", 2)
    r = run(data, on_progress=lambda done, total: seen.append((done, total)))
    assert r.created_count == 5 and seen == [(2, 5), (4, 5), (5, 5)]
    assert ProfileImport.objects.count() == 1
    assert json.loads(json.dumps(r.warnings)) == []


def test_imported_candidates_are_found_by_a_search_without_accents():
    from accounts.text import search_words

    run(make_export([{**participant(1), "last_name": "Lefèvre", "first_name": "Zoé"}]))
    c = Candidate.objects.get(external_id="22000001")
    assert c.sort_name == "lefevre zoe"
    assert all(word in c.search_text for word in search_words("LEFEVRE zoe 22000001"))
