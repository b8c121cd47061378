"""Two records of one person become one: registrations, applications, profiles, units, fees
and results move to the kept record, blanks are filled, the account handed over, the duplicate
deleted; audited; a confirmation page first; refused when a person would have to choose."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from billing.models import Fee
from candidates.models import (
    Candidate,
    CandidateKind,
    PositioningProfile,
    PreparationUnit,
    UnitEnrolment,
)
from sessions_app.models import Application, Campaign, Registration
from sessions_app.services import SessionError
from sessions_app.services.merge import merge_candidates, merge_plan
from tests.billing.conftest import make_registration

from .conftest import make_session

pytestmark = pytest.mark.django_db


def _profile(candidate, day):
    return PositioningProfile.objects.create(
        candidate=candidate, measured_at=dt.datetime(2025, 10, day, 10, tzinfo=dt.UTC),
        campaign_id="C1", levels={"1.1": 3}, pix={"1.1": 24}, total_pix=24,
        certifiable_competences=1, is_certifiable=False, average_level=0.19,
    )  # fmt: skip


@pytest.fixture
def pair(year, room, student):
    """The student's own record (account, no number) and the record an import made for them
    (student number, profile, a seat, a preparation unit)."""
    kept = student.candidate
    kept.external_id = ""
    kept.save()
    imported = Candidate.objects.create(
        kind=CandidateKind.STUDENT, birth_name="MARTIN", first_name="Léa",
        external_id="21950777", birth_date=dt.date(2003, 5, 17), study_year="L3",
    )  # fmt: skip
    _profile(kept, 1)
    _profile(imported, 1)  # the same snapshot, imported twice
    _profile(imported, 20)
    unit = PreparationUnit.objects.create(code="pix1", academic_year=year, semester=1)
    UnitEnrolment.objects.create(unit=unit, candidate=kept, courses_completed=2)
    UnitEnrolment.objects.create(unit=unit, candidate=imported, courses_completed=7)
    registration = make_registration(make_session(year, room), imported, source="override")
    return kept, imported, registration


def test_merge_moves_everything_to_the_kept_record(pair, administrator):
    kept, imported, registration = pair
    merge_candidates(kept, imported, acting_user=administrator)
    assert not Candidate.objects.filter(pk=imported.pk).exists()
    kept.refresh_from_db()
    assert kept.external_id == "21950777" and kept.birth_date == dt.date(2003, 5, 17)
    assert kept.study_year == "L3" and kept.user.email == "lea.martin@etu.univ-avignon.fr"
    assert Registration.objects.get(pk=registration.pk).candidate_id == kept.pk
    assert PositioningProfile.objects.filter(candidate=kept).count() == 2  # duplicate dropped
    assert UnitEnrolment.objects.get(candidate=kept).courses_completed == 7  # the better one
    entry = AuditEntry.objects.get(action="candidate.merged")
    assert entry.candidate_id == kept.pk and entry.actor == administrator
    assert entry.before["duplicate"]["external_id"] == "21950777"
    assert entry.after["moved"]["registrations"] == 1


def test_merge_moves_the_account_and_fees_of_an_external_duplicate(
    year, room, external, administrator
):
    imported = Candidate.objects.create(kind=CandidateKind.EXTERNAL, birth_name="DURAND",
                                        first_name="Sophie")  # fmt: skip
    registration = make_registration(make_session(year, room, audience="external"),
                                     external.candidate)  # fmt: skip
    fee = Fee.objects.get(registration=registration)
    merge_candidates(imported, external.candidate, acting_user=administrator)
    imported.refresh_from_db()
    assert imported.user == external
    assert Fee.objects.get(pk=fee.pk).registration.candidate_id == imported.pk


def test_merge_is_refused_when_both_hold_a_seat_in_the_same_year(
    year, room, student, administrator
):
    other = Candidate.objects.create(birth_name="MARTIN", first_name="Léa")
    make_registration(make_session(year, room, day=15), student.candidate)
    make_registration(make_session(year, room, day=16), other)
    plan = merge_plan(student.candidate, other)
    assert not plan.possible and "place" in plan.problems[0]
    with pytest.raises(SessionError):
        merge_candidates(student.candidate, other, acting_user=administrator)
    assert Candidate.objects.filter(pk=other.pk).exists()


def test_merge_is_refused_for_two_accounts_or_one_campaign_twice(
    year, room, student, other_student, administrator
):
    plan = merge_plan(student.candidate, other_student.candidate)
    assert any("compte" in p for p in plan.problems)
    imported = Candidate.objects.create(birth_name="MARTIN", first_name="Léa")
    now = timezone.now()
    campaign = Campaign.objects.create(
        academic_year=year, name="Automne", opens_at=now, closes_at=now + dt.timedelta(days=3)
    )
    for c in (student.candidate, imported):
        Application.objects.create(campaign=campaign, candidate=c, applied_at=now)
    assert any("Automne" in p for p in merge_plan(student.candidate, imported).problems)


def test_merge_page_shows_what_moves_and_waits_for_confirmation(client, pair, administrator):
    kept, imported, _registration = pair
    client.force_login(administrator)
    url = reverse("sessions_app:candidate_merge", args=[kept.pk])
    # Same folded name: offered without searching; a search finds by number too.
    assert [c.pk for c in client.get(url).context["page"]] == [imported.pk]
    assert [c.pk for c in client.get(url, {"q": "21950777"}).context["page"]] == [imported.pk]
    response = client.get(url, {"autre": imported.pk})
    assert "1 inscription à une session" in response.content.decode()
    assert Candidate.objects.filter(pk=imported.pk).exists()
    response = client.post(url, {"autre": imported.pk})  # no confirmation: nothing done
    assert Candidate.objects.filter(pk=imported.pk).exists()
    response = client.post(url, {"autre": imported.pk, "confirmed": "1"})
    assert response.status_code == 302
    assert not Candidate.objects.filter(pk=imported.pk).exists()


@pytest.mark.parametrize("persona", ["referent", "student", "invigilator"])
def test_only_administrators_merge(client, request, persona, pair):
    kept, imported, _r = pair
    client.force_login(request.getfixturevalue(persona))
    url = reverse("sessions_app:candidate_merge", args=[kept.pk])
    assert client.post(url, {"autre": imported.pk, "confirmed": "1"}).status_code == 403
    assert Candidate.objects.filter(pk=imported.pk).exists()
