import datetime as dt
import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from candidates.demo import academic_years, season_day
from candidates.models import AcademicYear, Candidate, CandidateKind
from sessions_app.models import TEST_DURATION, Application, Campaign, Registration, Room, Session

pytestmark = pytest.mark.django_db


def test_demo_centre_has_rooms_sessions_an_allocated_campaign_and_seats():
    call_command("seed_demo", stdout=StringIO())
    # The season's year and the one before (on 3 December 2026: 2025-2026 and 2026-2027).
    assert set(AcademicYear.objects.values_list("label", "student_quota")) >= {
        (label, 400) for label, _start, _end in academic_years(timezone.localdate())
    }
    assert Room.objects.count() == 5
    assert Room.objects.values("site").distinct().count() == 2
    year = AcademicYear.current(season_day(timezone.localdate()))
    assert Session.objects.filter(academic_year=year).count() >= 20
    campaign = Campaign.objects.get(academic_year=year)
    assert campaign.allocated_at is not None
    # Every eligible student of the candidates demo applied; each application was allocated a
    # seat or a waitlist place, within the yearly quota.
    eligible = {
        c.pk
        for c in Candidate.objects.filter(kind=CandidateKind.STUDENT, is_certifiable=True)
        if c.identity_complete
    }
    applied = set(Application.objects.filter(campaign=campaign).values_list("candidate", flat=True))
    assert applied == eligible
    allocated = Registration.objects.filter(application__campaign=campaign)
    assert set(allocated.values_list("candidate", flat=True)) == applied
    assert allocated.filter(status="confirmed").count() <= year.student_quota
    student = Registration.objects.get(
        candidate__user__email="etudiant@demo.pixcentre.fr", status="confirmed"
    )
    assert student.session.audience == "students"
    external = Registration.objects.get(
        candidate__user__email="externe@demo.pixcentre.fr", status="confirmed"
    )
    assert external.session.audience == "external"
    assert external.pricing == "Payante"


def test_no_demo_room_holds_two_sessions_at_once():
    call_command("seed_demo", stdout=StringIO())
    held = Session.objects.exclude(status="cancelled").order_by("room", "date", "start_time")
    starts = [(s.room_id, dt.datetime.combine(s.date, s.start_time), s) for s in held]
    for (room, start, session), (next_room, next_start, following) in itertools.pairwise(starts):
        assert room != next_room or next_start - start >= TEST_DURATION, (session, following)


def test_the_demo_years_are_the_one_before_the_season_and_the_season():
    assert academic_years(dt.date(2026, 12, 3)) == [
        ("2025-2026", dt.date(2025, 9, 1), dt.date(2026, 8, 31)),
        ("2026-2027", dt.date(2026, 9, 1), dt.date(2027, 8, 31)),
    ]
    assert [label for label, _s, _e in academic_years(dt.date(2027, 6, 30))] == [
        "2025-2026", "2026-2027",
    ]  # fmt: skip
    # In July and August the demo shows the coming autumn.
    assert season_day(dt.date(2027, 7, 5)) == dt.date(2027, 9, 1)
    assert [label for label, _s, _e in academic_years(dt.date(2027, 7, 5))] == [
        "2026-2027", "2027-2028",
    ]  # fmt: skip
    assert [label for label, _s, _e in academic_years(dt.date(2027, 9, 1))] == [
        "2026-2027", "2027-2028",
    ]  # fmt: skip
