"""Sessions, campaigns, allocation, waitlist and cancellation, as the centre runs them."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from candidates.models import CandidateKind
from sessions_app import services
from sessions_app.models import (
    Audience,
    Registration,
    Session,
    SessionStatus,
)
from sessions_app.services import SessionError

from .conftest import NOW, complete_identity, make_candidate, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(year, room, other_room, administrator):
    sessions = [
        make_session(year, room, day=15, capacity=2, status=SessionStatus.DRAFT),
        make_session(year, room, day=16, capacity=2, status=SessionStatus.DRAFT),
        make_session(year, other_room, day=17, capacity=2, status=SessionStatus.DRAFT),
    ]
    return services.create_campaign(
        acting_user=administrator,
        academic_year=year,
        name="Automne 2025",
        opens_at=NOW - dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=5),
        sessions=sessions,
        now=NOW,
    )


def ids(campaign):
    return list(campaign.sessions.order_by("date").values_list("pk", flat=True))


def apply(campaign, candidate, wishes, minutes):
    user = candidate.user
    return services.apply_for_campaign(
        campaign,
        candidate,
        wishes,
        acting_user=user,
        now=NOW + dt.timedelta(minutes=minutes),
    )


@pytest.fixture
def admin_user(administrator):
    return administrator


def student_with_account(tier, n, make_user_fn):
    user = make_user_fn(f"etu{n}@etu.univ-avignon.fr")
    return make_candidate(CandidateKind.STUDENT, tier=tier, user=user)


def test_creating_a_campaign_opens_its_sessions(campaign):
    assert set(campaign.sessions.values_list("status", flat=True)) == {SessionStatus.OPEN}


def test_campaign_end_to_end_by_tier_then_time_with_quota_and_waitlist(
    campaign, year, administrator, django_capture_on_commit_callbacks
):
    from tests.conftest import make_user

    s1, s2, s3 = ids(campaign)
    year.student_quota = 5
    year.save()
    # Applied in this order (minutes), with these tiers; everyone wants s1 first.
    late_tier1 = student_with_account(1, 1, make_user)
    early_tier3 = student_with_account(3, 2, make_user)
    tier2_a = student_with_account(2, 3, make_user)
    tier2_b = student_with_account(2, 4, make_user)
    tier3_b = student_with_account(3, 5, make_user)
    tier3_c = student_with_account(3, 6, make_user)
    tier3_d = student_with_account(3, 7, make_user)
    apply(campaign, early_tier3, [s1, s2, s3], 1)
    apply(campaign, tier2_b, [s1, s2], 2)
    apply(campaign, tier3_b, [s1, s2, s3], 3)
    apply(campaign, tier2_a, [s1], 0)  # only one wish
    apply(campaign, late_tier1, [s1, s3, s2], 9)
    apply(campaign, tier3_c, [s2, s1], 4)
    apply(campaign, tier3_d, [s3], 5)

    preview = services.allocate_campaign(campaign, acting_user=administrator, dry_run=True)
    assert Registration.objects.count() == 0, "a dry run writes nothing"
    assert len(preview.confirmed) == 5

    with pytest.raises(SessionError, match="encore ouverte"):
        services.allocate_campaign(campaign, acting_user=administrator, now=NOW)
    after_close = NOW + dt.timedelta(days=6)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.allocate_campaign(campaign, acting_user=administrator, now=after_close)

    seat = {
        r.candidate_id: (r.session_id, r.status)
        for r in Registration.objects.filter(session__campaigns=campaign)
    }
    # tier 1 first, then tier 2 by time, then tier 3 by time; quota 5 stops the rest.
    assert seat[late_tier1.pk] == (s1, "confirmed")
    assert seat[tier2_a.pk] == (s1, "confirmed")
    assert seat[tier2_b.pk] == (s2, "confirmed")  # s1 full: its second wish
    assert seat[early_tier3.pk] == (s2, "confirmed")  # s1 full, then s2 (its second wish)
    assert seat[tier3_b.pk] == (s3, "confirmed")  # s1 and s2 full: third wish
    # Quota of 5 reached: the rest wait, in the same order, on their first wish.
    assert seat[tier3_c.pk] == (s2, "waitlisted")
    assert seat[tier3_d.pk] == (s3, "waitlisted")
    assert [o.candidate.pk for o in preview.outcomes] == [o.candidate.pk for o in result.outcomes]
    assert Registration.objects.filter(status="confirmed").count() == year.student_quota
    # Everyone told by email, with the right outcome.
    assert len(mail.outbox) == 7
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "confirmée" in by_to[late_tier1.convocation_email].subject
    assert "liste d’attente" in by_to[tier3_c.convocation_email].subject
    assert "position 1" in by_to[tier3_c.convocation_email].body

    # A second run does nothing (idempotent job).
    again = services.allocate_campaign(campaign, acting_user=None, now=after_close)
    assert again.already_done and Registration.objects.count() == 7

    # The quota is freed when a student cancels: the first waitlisted of that session gets it.
    mail.outbox.clear()
    reg = Registration.objects.get(candidate=early_tier3, status="confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(reg, acting_user=early_tier3.user, now=after_close)
    promoted = Registration.objects.get(candidate=tier3_c, status="confirmed")
    assert promoted.session_id == s2
    # The one who cancelled is told it is done; the first on the waitlist, that a seat freed.
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_to) == sorted([early_tier3.convocation_email, tier3_c.convocation_email])
    assert len(mail.outbox) == 2
    assert "annulée" in by_to[early_tier3.convocation_email].subject
    assert "libérée" in by_to[tier3_c.convocation_email].subject
    assert Registration.objects.filter(status="confirmed").count() == 5


def test_allocation_never_exceeds_session_capacity(campaign, administrator):
    from tests.conftest import make_user

    s1, _s2, _s3 = ids(campaign)
    people = [student_with_account(2, 100 + i, make_user) for i in range(5)]
    for i, c in enumerate(people):
        apply(campaign, c, [s1], i)
    services.allocate_campaign(campaign, acting_user=administrator, now=NOW + dt.timedelta(days=6))
    statuses = list(
        Registration.objects.filter(session_id=s1)
        .order_by("waitlist_order")
        .values_list("candidate_id", "status", "waitlist_order")
    )
    assert [s for _c, s, _o in statuses].count("confirmed") == 2
    waitlisted = [(c, o) for c, s, o in statuses if s == "waitlisted"]
    assert [c for c, _o in waitlisted] == [p.pk for p in people[2:]], "same order as applications"
    third = Registration.objects.get(candidate=people[4])
    assert third.waitlist_position() == 3


def test_ineligible_candidates_cannot_apply(campaign, student, other_student, external):
    s1 = ids(campaign)[0]
    with pytest.raises(SessionError, match="identité est incomplète"):
        apply(campaign, student.candidate, [s1], 0)
    complete_identity(other_student.candidate, certifiable=False)
    with pytest.raises(SessionError, match="pas certifiable"):
        apply(campaign, other_student.candidate, [s1], 0)
    complete_identity(external.candidate)
    with pytest.raises(SessionError, match="n’est pas ouverte aux candidats"):
        apply(campaign, external.candidate, [s1], 0)


def test_wishes_are_one_to_three_distinct_sessions_of_the_campaign(
    campaign, eligible_student, year, other_room
):
    s1, s2, s3 = ids(campaign)
    candidate = eligible_student.candidate
    outside = make_session(year, other_room, day=20)
    with pytest.raises(SessionError, match="entre 1 et 3"):
        apply(campaign, candidate, [], 0)
    with pytest.raises(SessionError, match="qu’une fois"):
        apply(campaign, candidate, [s1, s1], 0)
    with pytest.raises(SessionError, match="ne fait pas partie"):
        apply(campaign, candidate, [outside.pk], 0)
    application = apply(campaign, candidate, [s3, s1, s2], 0)
    assert list(application.wishes.values_list("session_id", flat=True)) == [s3, s1, s2]
    # Applying again (double click, or changing one's mind) keeps one application.
    again = apply(campaign, candidate, [s2], 3)
    assert again.pk == application.pk
    assert list(again.wishes.values_list("session_id", flat=True)) == [s2]


def test_applications_are_refused_outside_the_window(campaign, eligible_student):
    with pytest.raises(SessionError, match="n’accepte pas de candidatures"):
        apply(campaign, eligible_student.candidate, ids(campaign)[:1], 60 * 24 * 7)


def test_someone_cannot_apply_for_another(campaign, eligible_student, other_student):
    with pytest.raises(SessionError, match="pour vous-même"):
        services.apply_for_campaign(
            campaign,
            eligible_student.candidate,
            ids(campaign)[:1],
            acting_user=other_student,
            now=NOW,
        )


def test_first_come_waits_for_allocation_then_fills_then_waitlists(
    campaign, administrator, django_capture_on_commit_callbacks
):
    from tests.conftest import make_user

    s1 = Session.objects.get(pk=ids(campaign)[0])
    first = student_with_account(3, 200, make_user)
    with pytest.raises(SessionError, match="clôture de sa campagne"):
        services.register_first_come(s1, first, acting_user=first.user, now=NOW)
    services.allocate_campaign(campaign, acting_user=administrator, now=NOW + dt.timedelta(days=6))
    later = NOW + dt.timedelta(days=6, hours=1)
    regs = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            c = first if n == 0 else student_with_account(3, 200 + n, make_user)
            regs.append(services.register_first_come(s1, c, acting_user=c.user, now=later))
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted"]
    assert regs[2].waitlist_position() == 1
    assert len(mail.outbox) == 3
    # A double click registers once.
    again = services.register_first_come(s1, first, acting_user=first.user, now=later)
    assert again.pk == regs[0].pk
    assert Registration.objects.filter(candidate=first).count() == 1


def test_one_active_registration_per_year_is_enforced_by_the_database(year, room, session):
    other = make_session(year, room, day=20)
    candidate = make_candidate()
    Registration.objects.create(
        candidate=candidate, session=session, academic_year=year, status="confirmed",
        source="first_come", created_at=NOW,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            candidate=candidate, session=other, academic_year=year, status="waitlisted",
            waitlist_order=1, source="first_come", created_at=NOW,
        )  # fmt: skip
    # A cancelled registration does not count.
    Registration.objects.filter(candidate=candidate).update(status="cancelled")
    Registration.objects.create(
        candidate=candidate, session=other, academic_year=year, status="confirmed",
        source="first_come", created_at=NOW,
    )  # fmt: skip


def test_external_books_external_sessions_only(
    year, room, other_room, eligible_external, eligible_student
):
    students_only = make_session(year, room, day=20)
    for_externals = make_session(year, other_room, day=21, audience=Audience.EXTERNAL)
    candidate = eligible_external.candidate
    with pytest.raises(SessionError, match="externes"):
        services.book_external(students_only, candidate, acting_user=eligible_external, now=NOW)
    with pytest.raises(SessionError, match="réservée aux candidats externes"):
        services.book_external(
            for_externals, eligible_student.candidate, acting_user=eligible_student, now=NOW
        )
    booking = services.book_external(
        for_externals, candidate, acting_user=eligible_external, now=NOW
    )
    assert booking.status == "confirmed" and booking.source == "booking"
    assert booking.pricing == "Payante"


def test_staff_sessions_are_for_staff(year, room):
    staff_session = make_session(year, room, day=20, audience=Audience.STAFF)
    student = make_candidate()
    staff = make_candidate(CandidateKind.STAFF, certifiable=False)
    from tests.conftest import make_user

    student.user = make_user("s@etu.fr")
    student.save()
    staff.user = make_user("p@univ.fr")
    staff.save()
    with pytest.raises(SessionError, match="n’est pas ouverte"):
        services.register_first_come(staff_session, student, acting_user=student.user, now=NOW)
    reg = services.register_first_come(staff_session, staff, acting_user=staff.user, now=NOW)
    assert reg.status == "confirmed" and reg.pricing == "Gratuite"


def test_cancellation_deadline_binds_candidates_not_administrators(
    session, eligible_student, administrator, settings
):
    settings.PIX_CANCELLATION_DEADLINE_HOURS = 72
    candidate = eligible_student.candidate
    reg = services.register_first_come(session, candidate, acting_user=eligible_student, now=NOW)
    too_late = session.starts_at - dt.timedelta(hours=71)
    with pytest.raises(SessionError, match="délai d’annulation"):
        services.cancel_registration(reg, acting_user=eligible_student, now=too_late)
    services.cancel_registration(reg, acting_user=administrator, now=too_late)
    reg.refresh_from_db()
    assert reg.status == "cancelled"


def test_no_show_only_after_the_session_started(session, eligible_student, administrator):
    reg = services.register_first_come(
        session, eligible_student.candidate, acting_user=eligible_student, now=NOW
    )
    with pytest.raises(SessionError, match="pas encore commencé"):
        services.mark_no_show(reg, acting_user=administrator, now=NOW)
    with pytest.raises(SessionError, match="gestionnaire"):
        services.mark_no_show(reg, acting_user=eligible_student, now=session.ends_at)
    services.mark_no_show(reg, acting_user=administrator, now=session.ends_at)
    reg.refresh_from_db()
    assert reg.status == "no_show"


def test_override_moves_a_candidate_but_never_oversells(year, room, other_room, administrator):
    small = make_session(year, room, day=20, capacity=1)
    other = make_session(year, other_room, day=21, capacity=5)
    holder = make_candidate()
    mover = make_candidate()
    services.override_seat(small, holder, acting_user=administrator, now=NOW)
    services.override_seat(other, mover, acting_user=administrator, now=NOW)
    with pytest.raises(SessionError, match="Plus de place libre"):
        services.override_seat(small, mover, acting_user=administrator, now=NOW)
    services.override_seat(other, holder, acting_user=administrator, now=NOW)  # moves holder
    assert Registration.objects.get(candidate=holder, status="confirmed").session == other
    services.override_seat(small, mover, acting_user=administrator, now=NOW)
    assert small.registrations.filter(status="confirmed").count() == 1


def test_override_respects_the_yearly_quota(year, room, administrator):
    year.student_quota = 1
    year.save()
    session = make_session(year, room, day=20)
    services.override_seat(session, make_candidate(), acting_user=administrator, now=NOW)
    with pytest.raises(SessionError, match="quota"):
        services.override_seat(session, make_candidate(), acting_user=administrator, now=NOW)
    staff = make_candidate(CandidateKind.STAFF)
    session.audience = Audience.MIXED
    session.save()
    assert services.override_seat(session, staff, acting_user=administrator, now=NOW).status == (
        "confirmed"
    )


def test_series_creates_every_date_time_room_and_refuses_overlaps(
    year, room, other_room, administrator
):
    dates = [dt.date(2025, 11, 3), dt.date(2025, 11, 4)]
    times = [dt.time(9, 0), dt.time(14, 0)]
    created = services.create_session_series(
        acting_user=administrator, dates=dates, times=times, rooms=[room, other_room],
        audience=Audience.STUDENTS, now=NOW,
    )  # fmt: skip
    assert len(created) == 8
    assert {s.capacity for s in created} == {20}
    with pytest.raises(SessionError, match="déjà occupée"):
        services.create_session(
            acting_user=administrator, date=dates[0], start_time=dt.time(10, 30), room=room,
            audience=Audience.STUDENTS, now=NOW,
        )  # fmt: skip
    # 1h45 after 9:00 the room is free again.
    services.create_session(
        acting_user=administrator, date=dates[0], start_time=dt.time(10, 45), room=room,
        audience=Audience.STUDENTS, now=NOW,
    )  # fmt: skip
    # A series with one clash creates nothing.
    before = Session.objects.count()
    with pytest.raises(SessionError):
        services.create_session_series(
            acting_user=administrator, dates=[dt.date(2025, 11, 5), dates[1]],
            times=[dt.time(9, 30)], rooms=[room], audience=Audience.STUDENTS, now=NOW,
        )  # fmt: skip
    assert Session.objects.count() == before


def test_session_capacity_cannot_exceed_the_room(year, room, administrator):
    with pytest.raises(SessionError, match="n’a que 24 places"):
        services.create_session(
            acting_user=administrator, date=dt.date(2025, 11, 3), start_time=dt.time(9, 0),
            room=room, capacity=25, audience=Audience.STUDENTS, now=NOW,
        )  # fmt: skip


def test_only_administrators_create_sessions(year, room, student):
    with pytest.raises(SessionError, match="gestionnaire"):
        services.create_session(
            acting_user=student, date=dt.date(2025, 11, 3), start_time=dt.time(9, 0),
            room=room, audience=Audience.STUDENTS, now=NOW,
        )  # fmt: skip


def test_status_transitions_are_guarded_and_cancelling_notifies_everyone(
    session, administrator, django_capture_on_commit_callbacks
):
    people = [make_candidate() for _ in range(3)]
    for c in people:
        services.override_seat(session, c, acting_user=administrator, now=NOW)
    with pytest.raises(SessionError, match="ne peut pas passer"):
        services.change_session_status(session, "finalised", acting_user=administrator, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_session_status(session, "cancelled", acting_user=administrator, now=NOW)
    assert set(session.registrations.values_list("status", flat=True)) == {"cancelled"}
    assert sorted(m.to[0] for m in mail.outbox if "annulée" in m.subject) == sorted(
        c.convocation_email for c in people
    )
    with pytest.raises(SessionError, match="ne peut pas passer"):
        services.change_session_status(session, "open", acting_user=administrator, now=NOW)


def test_registration_email_waits_for_the_commit(
    session, eligible_student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.register_first_come(
            session, eligible_student.candidate, acting_user=eligible_student, now=NOW
        )
    assert len(callbacks) == 1 and not mail.outbox


def test_candidate_chooses_one_offered_complementary_certification(
    year, room, eligible_student, other_student
):
    session = make_session(year, room, day=20, complementary=["droit", "edu2"])
    reg = services.register_first_come(
        session, eligible_student.candidate, acting_user=eligible_student, now=NOW
    )
    with pytest.raises(SessionError, match="pas proposée"):
        services.choose_complementary(reg, "sante", acting_user=eligible_student, now=NOW)
    with pytest.raises(SessionError, match="pour vous-même"):
        services.choose_complementary(reg, "droit", acting_user=other_student, now=NOW)
    services.choose_complementary(reg, "droit", acting_user=eligible_student, now=NOW)
    reg.refresh_from_db()
    assert reg.complementary == "droit"
    with pytest.raises(SessionError, match="délai"):
        services.choose_complementary(
            reg, "", acting_user=eligible_student, now=session.starts_at - dt.timedelta(hours=1)
        )


def test_prepaid_code_makes_the_pricing_prepaid(session, administrator, eligible_student):
    reg = services.register_first_come(
        session, eligible_student.candidate, acting_user=eligible_student, now=NOW
    )
    assert reg.pricing == "Gratuite"
    with pytest.raises(SessionError, match="gestionnaire"):
        services.set_prepaid_code(reg, "x", acting_user=eligible_student)
    services.set_prepaid_code(reg, " 12345678912345/FACT12345 ", acting_user=administrator)
    reg.refresh_from_db()
    assert (reg.pricing, reg.prepaid_code) == ("Prépayée", "12345678912345/FACT12345")
    services.set_prepaid_code(reg, "", acting_user=administrator)
    reg.refresh_from_db()
    assert reg.pricing == "Gratuite"


def test_outcome_email_tells_the_tier(
    session, eligible_student, django_capture_on_commit_callbacks
):
    candidate = eligible_student.candidate
    candidate.priority_tier = 2
    candidate.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.register_first_come(session, candidate, acting_user=eligible_student, now=NOW)
    assert "Votre niveau de priorité : 2" in mail.outbox[0].body
