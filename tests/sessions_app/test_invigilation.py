"""Invigilators, the day of the session and finalisation, through the services."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry
from sessions_app import services as invigilation
from sessions_app.models import (
    Assignment,
    Attendance,
    AttendanceStatus,
    Incident,
    RegistrationStatus,
    SessionStatus,
)
from sessions_app.services.invigilation import InvigilationError

from .conftest import NOW, make_session
from .invigilation_fixtures import available, confirm, make_invigilator, unavailable

pytestmark = pytest.mark.django_db


# --- staffing through the service -------------------------------------------------------------


@pytest.mark.parametrize(
    ("confirmed", "needed"), [(0, 0), (1, 1), (20, 1), (21, 2), (40, 2)], ids=str
)
@pytest.mark.parametrize("extra_time", [False, True], ids=["no_extra_time", "extra_time"])
def test_staffing_counts_invigilators_and_minutes(year, room, confirmed, needed, extra_time):
    session = make_session(year, room, capacity=40)
    if confirmed:
        confirm(session, confirmed, extra_time=33 if extra_time else None)
    plan = invigilation.session_staffing(session)
    assert plan.confirmed == confirmed
    assert plan.needed == needed
    # 120 minutes, plus 40 when a confirmed candidate has extra time (none when nobody comes).
    assert plan.minutes == (160 if extra_time and confirmed else 120)


def test_staffing_ignores_waitlisted_and_cancelled_candidates_with_extra_time(year, room):
    session = make_session(year, room)
    confirm(session, 1)
    for registration in confirm(session, 2, extra_time=50):
        registration.status = RegistrationStatus.CANCELLED
        registration.save()
    plan = invigilation.session_staffing(session)
    assert (plan.confirmed, plan.needed, plan.minutes) == (1, 1, 120)


def test_staffing_follows_the_settings(settings, year, room):
    settings.PIX_CANDIDATES_PER_INVIGILATOR = 10
    settings.PIX_INVIGILATION_MINUTES = 100
    settings.PIX_EXTRA_TIME_EXTENSION_MINUTES = 30
    session = make_session(year, room)
    confirm(session, 11, extra_time=25)
    plan = invigilation.session_staffing(session)
    assert (plan.needed, plan.minutes) == (2, 130)


def test_annotated_staffing_matches_the_counted_one(year, room, other_room):
    busy = make_session(year, room, capacity=24)
    confirm(busy, 21, extra_time=33)
    quiet = make_session(year, other_room)
    confirm(quiet, 3)
    annotated = {s.pk: invigilation.session_staffing(s) for s in invigilation.with_staffing()}
    assert annotated[busy.pk] == invigilation.session_staffing(busy)
    assert annotated[quiet.pk] == invigilation.session_staffing(quiet)
    assert (annotated[busy.pk].needed, annotated[busy.pk].minutes) == (2, 160)


# --- assignments and conflicts ----------------------------------------------------------------


def test_assignment_stores_the_minutes_and_an_audit_row(year, room, administrator):
    session = make_session(year, room)
    confirm(session, 5, extra_time=33)
    person = make_invigilator()
    assignment = invigilation.assign_invigilator(
        session, person, acting_user=administrator, now=NOW
    )
    assert assignment.minutes == 160
    assert assignment.created_by == administrator
    entry = AuditEntry.objects.get(action="invigilator_assigned")
    assert entry.session_id == session.pk and entry.actor == administrator
    # Assigning twice (a double click) changes nothing.
    again = invigilation.assign_invigilator(session, person, acting_user=administrator, now=NOW)
    assert again.pk == assignment.pk and Assignment.objects.count() == 1


def test_overlap_through_the_extra_time_extension_is_refused_naming_the_other_session(
    year, room, other_room, administrator
):
    morning = make_session(year, room, hour=9)  # 9:00 + 160 min = 11:40
    confirm(morning, 3, extra_time=33)
    late_morning = make_session(year, other_room, hour=11)
    late_morning.start_time = dt.time(11, 30)
    late_morning.save()
    person = make_invigilator()
    invigilation.assign_invigilator(morning, person, acting_user=administrator, now=NOW)
    with pytest.raises(InvigilationError) as refused:
        invigilation.assign_invigilator(late_morning, person, acting_user=administrator, now=NOW)
    assert str(morning) in refused.value.message
    assert "160" in refused.value.message
    assert not Assignment.objects.filter(session=late_morning).exists()


def test_without_extra_time_the_same_sessions_do_not_overlap(year, room, other_room, administrator):
    morning = make_session(year, room, hour=9)  # 9:00 + 120 min = 11:00
    confirm(morning, 3)
    late_morning = make_session(year, other_room, hour=11)
    late_morning.start_time = dt.time(11, 30)
    late_morning.save()
    person = make_invigilator()
    invigilation.assign_invigilator(morning, person, acting_user=administrator, now=NOW)
    invigilation.assign_invigilator(late_morning, person, acting_user=administrator, now=NOW)
    assert Assignment.objects.filter(invigilator=person).count() == 2


def test_overlap_is_checked_from_the_new_session_side_too(year, room, other_room, administrator):
    """The new session's own extension makes it run into a later one."""
    later = make_session(year, room, hour=11)
    later.start_time = dt.time(11, 30)
    later.save()
    earlier = make_session(year, other_room, hour=9)
    confirm(earlier, 1, extra_time=33)
    person = make_invigilator()
    invigilation.assign_invigilator(later, person, acting_user=administrator, now=NOW)
    with pytest.raises(InvigilationError) as refused:
        invigilation.assign_invigilator(earlier, person, acting_user=administrator, now=NOW)
    assert str(later) in refused.value.message


def test_cancelled_sessions_do_not_conflict(year, room, other_room, administrator):
    first = make_session(year, room, hour=9)
    second = make_session(year, other_room, hour=10)
    person = make_invigilator()
    invigilation.assign_invigilator(first, person, acting_user=administrator, now=NOW)
    first.status = SessionStatus.CANCELLED
    first.save()
    invigilation.assign_invigilator(second, person, acting_user=administrator, now=NOW)


def test_unavailable_invigilator_is_refused(year, room, administrator):
    session = make_session(year, room, day=15, hour=14)
    person = make_invigilator()
    available(person)
    unavailable(person, dt.date(2025, 10, 15), 13, 15)
    with pytest.raises(InvigilationError) as refused:
        invigilation.assign_invigilator(session, person, acting_user=administrator, now=NOW)
    assert "indisponible" in refused.value.message
    assert not Assignment.objects.exists()


def test_only_administrators_assign_and_only_invigilators_are_assigned(
    year, room, administrator, invigilator, student
):
    session = make_session(year, room)
    with pytest.raises(InvigilationError):
        invigilation.assign_invigilator(session, invigilator, acting_user=invigilator, now=NOW)
    with pytest.raises(InvigilationError):
        invigilation.assign_invigilator(session, student, acting_user=administrator, now=NOW)


# --- suggestions ------------------------------------------------------------------------------


def test_suggestions_put_the_available_invigilator_with_fewest_hours_this_year_first(
    year, room, other_room, administrator
):
    target = make_session(year, room, day=20, hour=9)
    busy, light, idle = (
        make_invigilator("Busy"),
        make_invigilator("Light"),
        make_invigilator("Idle"),
    )
    away, undeclared = make_invigilator("Away"), make_invigilator("Undeclared")
    for person in (busy, light, idle, away):
        available(person)
    unavailable(away, dt.date(2025, 10, 20))
    # Past work this year: busy 2 sessions with extra time (320 min), light one (120 min).
    for day in (2, 3):
        past = make_session(year, other_room, day=day)
        confirm(past, 1, extra_time=33)
        invigilation.assign_invigilator(past, busy, acting_user=administrator, now=NOW)
    light_session = make_session(year, other_room, day=4)
    invigilation.assign_invigilator(light_session, light, acting_user=administrator, now=NOW)
    # Work in another year does not count.
    from candidates.models import AcademicYear

    older = AcademicYear.objects.create(
        label="2024-2025", start_date=dt.date(2024, 9, 1), end_date=dt.date(2025, 8, 31)
    )
    old = make_session(older, other_room)
    old.date = dt.date(2025, 3, 3)
    old.save()
    for _ in range(1):
        invigilation.assign_invigilator(old, idle, acting_user=administrator, now=NOW)

    suggestions = invigilation.suggest_invigilators(target)
    assert [s.invigilator for s in suggestions] == [idle, light, busy]
    assert [s.minutes_this_year for s in suggestions] == [0, 120, 320]
    assert undeclared not in [s.invigilator for s in suggestions]


def test_an_unavailability_on_another_day_does_not_hide_an_invigilator(year, room):
    target = make_session(year, room, day=20, hour=9)
    person = make_invigilator()
    available(person)
    unavailable(person, dt.date(2025, 10, 27))
    unavailable(person, dt.date(2025, 10, 20), 13, 18)  # the afternoon only
    assert [s.invigilator for s in invigilation.suggest_invigilators(target)] == [person]
    unavailable(person, dt.date(2025, 10, 20), 10, 11)
    assert invigilation.suggest_invigilators(target) == []


def test_suggestions_leave_out_the_busy_and_the_already_assigned(
    year, room, other_room, administrator
):
    target = make_session(year, room, day=20, hour=9)
    clash = make_session(year, other_room, day=20, hour=10)
    on_it, clashing, free = make_invigilator(), make_invigilator(), make_invigilator()
    for person in (on_it, clashing, free):
        available(person)
    invigilation.assign_invigilator(target, on_it, acting_user=administrator, now=NOW)
    invigilation.assign_invigilator(clash, clashing, acting_user=administrator, now=NOW)
    assert [s.invigilator for s in invigilation.suggest_invigilators(target)] == [free]


# --- understaffed sessions --------------------------------------------------------------------


def test_understaffed_sessions_are_the_coming_ones_with_too_few_invigilators(
    year, room, other_room, administrator, django_assert_num_queries
):
    big = make_session(year, room, day=10, capacity=24)
    confirm(big, 21)
    staffed = make_session(year, other_room, day=11)
    confirm(staffed, 5)
    empty = make_session(year, other_room, day=12)  # nobody confirmed: nobody needed
    past = make_session(year, room, day=1, hour=8)
    past.date = dt.date(2025, 9, 20)
    past.save()
    confirm(past, 3)
    invigilation.assign_invigilator(big, make_invigilator(), acting_user=administrator, now=NOW)
    invigilation.assign_invigilator(staffed, make_invigilator(), acting_user=administrator, now=NOW)
    # One query: the sessions with their confirmed, assigned and extra-time annotations.
    with django_assert_num_queries(1):
        result = invigilation.understaffed_sessions(today=NOW.date())
    assert [s.pk for s in result] == [big.pk]
    assert result[0].staffing.missing == 1
    assert empty.pk not in [s.pk for s in result]


# --- the day of the session -------------------------------------------------------------------


@pytest.fixture
def today_session(year, room, administrator, invigilator):
    session = make_session(year, room, day=1, hour=9, status=SessionStatus.CLOSED)
    invigilation.assign_invigilator(session, invigilator, acting_user=administrator, now=NOW)
    return session


def test_assigned_invigilator_marks_attendance_with_audit(today_session, invigilator):
    registration = confirm(today_session, 1)[0]
    attendance = invigilation.mark_attendance(
        registration, present=True, identity_checked=True, acting_user=invigilator, now=NOW
    )
    assert attendance.status == AttendanceStatus.PRESENT and attendance.identity_checked
    assert attendance.marked_by == invigilator
    entry = AuditEntry.objects.get(action="attendance_marked")
    assert entry.candidate_id == registration.candidate_id
    assert entry.after == {"status": "present", "identity_checked": True}
    # Changing one's mind updates the same row, with before and after.
    invigilation.mark_attendance(registration, present=False, acting_user=invigilator, now=NOW)
    assert Attendance.objects.get().status == AttendanceStatus.ABSENT
    assert AuditEntry.objects.filter(action="attendance_marked").count() == 2


def test_an_invigilator_not_assigned_may_not_mark(today_session):
    registration = confirm(today_session, 1)[0]
    stranger = make_invigilator()
    with pytest.raises(InvigilationError):
        invigilation.mark_attendance(registration, present=True, acting_user=stranger, now=NOW)


def test_attendance_is_taken_on_the_day_not_before(year, room, administrator, invigilator):
    session = make_session(year, room, day=15)
    invigilation.assign_invigilator(session, invigilator, acting_user=administrator, now=NOW)
    registration = confirm(session, 1)[0]
    with pytest.raises(InvigilationError):
        invigilation.mark_attendance(registration, present=True, acting_user=invigilator, now=NOW)


def test_incident_with_pix_category_and_abandon_reason(today_session, invigilator):
    registration = confirm(today_session, 1)[0]
    incident = invigilation.report_incident(
        today_session,
        registration=registration,
        code="E3",
        question_number=12,
        description="Le fichier ne s’ouvre pas.",
        acting_user=invigilator,
        now=NOW,
    )
    assert incident.category_label == "Problème technique sur une question"
    abandon = invigilation.report_incident(
        today_session,
        registration=registration,
        abandon_reason="technical",
        acting_user=invigilator,
        now=NOW,
    )
    assert abandon.get_abandon_reason_display() == "Problème technique"
    assert AuditEntry.objects.filter(action="incident_reported").count() == 2


def test_incident_rules(today_session, invigilator, year, room):
    registration = confirm(today_session, 1)[0]
    report = invigilation.report_incident
    with pytest.raises(InvigilationError, match="numéro de la question"):
        report(today_session, registration=registration, code="E1", acting_user=invigilator)
    with pytest.raises(InvigilationError, match="catégorie"):
        report(today_session, registration=registration, acting_user=invigilator, now=NOW)
    with pytest.raises(InvigilationError, match="candidat"):
        report(today_session, code="C1", acting_user=invigilator, now=NOW)
    with pytest.raises(InvigilationError, match="fraude"):
        report(
            today_session,
            registration=registration,
            code="C8",
            fraud_report=SimpleUploadedFile("r.pdf", b"%PDF-1.4"),
            acting_user=invigilator,
            now=NOW,
        )
    other = confirm(make_session(year, room, day=2), 1)[0]
    with pytest.raises(InvigilationError, match="inscrit"):
        report(today_session, registration=other, code="C8", acting_user=invigilator, now=NOW)
    # A session-wide non-blocking technical incident needs no candidate.
    report(today_session, code="C7", description="Coupure réseau", acting_user=invigilator, now=NOW)
    assert Incident.objects.count() == 1


def test_fraud_report_is_stored_with_a_c6(today_session, invigilator):
    registration = confirm(today_session, 1)[0]
    incident = invigilation.report_incident(
        today_session,
        registration=registration,
        code="C6",
        fraud_report=SimpleUploadedFile("rapport.pdf", b"%PDF-1.4 rapport"),
        acting_user=invigilator,
        now=NOW,
    )
    assert incident.fraud_report.name.endswith(".pdf")
    assert incident.fraud_report.read() == b"%PDF-1.4 rapport"


# --- finalisation -----------------------------------------------------------------------------


def test_finalisation_records_absences_keeps_incidents_and_finalises(
    today_session, invigilator, administrator
):
    present, absent, unmarked = confirm(today_session, 3, extra_time=33)
    invigilation.mark_attendance(
        present, present=True, identity_checked=True, acting_user=invigilator, now=NOW
    )
    invigilation.mark_attendance(absent, present=False, acting_user=invigilator, now=NOW)
    invigilation.report_incident(
        today_session, registration=present, code="C2", acting_user=invigilator, now=NOW
    )
    result = invigilation.finalise_session(
        today_session, acting_user=administrator, now=NOW + dt.timedelta(hours=3)
    )
    assert (result.present, result.absent, result.incidents) == (1, 2, 1)
    for registration, status in (
        (present, RegistrationStatus.CONFIRMED),
        (absent, RegistrationStatus.NO_SHOW),
        (unmarked, RegistrationStatus.NO_SHOW),
    ):
        registration.refresh_from_db()
        assert registration.status == status
    assert Attendance.objects.get(registration=unmarked).status == AttendanceStatus.ABSENT
    today_session.refresh_from_db()
    assert today_session.status == SessionStatus.FINALISED
    assert Incident.objects.filter(session=today_session).count() == 1
    assert AuditEntry.objects.filter(action="no_show").count() == 2
    assert AuditEntry.objects.get(action="session_finalised").before == {"status": "closed"}
    # The invigilator's minutes are settled with the extension.
    assert Assignment.objects.get(session=today_session).minutes == 160
    with pytest.raises(InvigilationError, match="déjà finalisée"):
        invigilation.finalise_session(today_session, acting_user=administrator, now=NOW)


def test_a_no_show_is_audited_in_one_format_from_the_button_or_the_finalisation(
    today_session, administrator
):
    """Both ways a candidate becomes absent write the same row (they wrote {"value": …} and
    {"status": …} before the audit catalogue)."""
    by_button, by_finalisation = confirm(today_session, 2)
    later = NOW + dt.timedelta(hours=3)
    invigilation.mark_no_show(by_button, acting_user=administrator, now=later)
    invigilation.finalise_session(today_session, acting_user=administrator, now=later)
    rows = AuditEntry.objects.filter(action="no_show").order_by("pk")
    assert [(r.object_type, r.object_id, r.before, r.after) for r in rows] == [
        (reg._meta.label, str(reg.pk), {"status": "confirmed"}, {"status": "no_show"})
        for reg in (by_button, by_finalisation)
    ]


def test_a_future_or_draft_session_cannot_be_finalised(year, room, administrator):
    future = make_session(year, room, day=15, status=SessionStatus.CLOSED)
    with pytest.raises(InvigilationError, match="pas encore eu lieu"):
        invigilation.finalise_session(future, acting_user=administrator, now=NOW)
    draft = make_session(year, room, day=1, status=SessionStatus.DRAFT)
    with pytest.raises(InvigilationError, match="Brouillon"):
        invigilation.finalise_session(draft, acting_user=administrator, now=NOW)
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT


def test_only_an_administrator_finalises(today_session, invigilator):
    with pytest.raises(InvigilationError):
        invigilation.finalise_session(today_session, acting_user=invigilator, now=NOW)


def test_finalisation_report_orders_candidates_and_pix_categories(
    today_session, invigilator, administrator
):
    first, second = confirm(today_session, 2)
    first.candidate.birth_name = "ZOLA"
    first.candidate.save()
    second.candidate.birth_name = "ABADIE"
    second.candidate.save()
    for code, question in (("E2", 4), ("C8", None), ("C1", None)):
        invigilation.report_incident(
            today_session,
            registration=first,
            code=code,
            question_number=question,
            acting_user=invigilator,
            now=NOW,
        )
    invigilation.report_incident(
        today_session, registration=first, abandon_reason="candidate", acting_user=invigilator
    )
    invigilation.report_incident(today_session, code="C7", acting_user=invigilator, now=NOW)
    lines, session_wide = invigilation.finalisation_report(today_session)
    assert [line.registration for line in lines] == [second, first]
    assert [i.code for i in lines[1].coded_incidents] == ["C1", "C8", "E2"]
    assert lines[1].abandon_reason == "Manque de temps ou départ prématuré"
    assert [i.code for i in session_wide] == ["C7"]


def test_incident_labels_are_pix_certif_wording():
    from sessions_app.models import IncidentCode

    assert IncidentCode.values == [
        "C1", "C2", "C4", "C6", "C7", "C8",
        *[f"E{n}" for n in range(1, 13)],
    ]  # fmt: skip
    assert IncidentCode.C4.label == (
        "Était présent(e) mais a oublié de signer, ou a signé sur la mauvaise ligne"
    )
    assert (
        IncidentCode.E12.label == "Problème avec l’accessibilité de la question (ex : daltonisme)"
    )


# --- schedule ---------------------------------------------------------------------------------


def test_schedule_lists_own_assignments_and_minutes(year, room, other_room, administrator):
    person = make_invigilator()
    one = make_session(year, room, day=5)
    confirm(one, 1, extra_time=20)
    two = make_session(year, other_room, day=6)
    make_session(year, room, day=7)  # someone else's
    invigilation.assign_invigilator(two, person, acting_user=administrator, now=NOW)
    invigilation.assign_invigilator(one, person, acting_user=administrator, now=NOW)
    assert [a.session for a in invigilation.schedule_of(person)] == [one, two]
    assert invigilation.minutes_this_year(person, year) == 280
