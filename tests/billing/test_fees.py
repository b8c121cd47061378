"""External fees: due once when an external candidate's seat is confirmed, then paid (with a
numbered receipt), refunded or waived by an administrator, each with an audit row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import AuditEntry
from billing import services
from billing.models import Fee, FeeStatus, Receipt, RefundReason
from candidates.models import CandidateKind
from sessions_app import services as sessions_services
from sessions_app.models import PARIS
from tests.billing.conftest import make_external, make_registration, make_session
from tests.sessions_app.conftest import make_candidate

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 10, 1, 9, 0, tzinfo=PARIS)
PAID_ON = dt.date(2025, 10, 2)


@pytest.fixture
def external_session(year, room):
    return make_session(year, room, audience="external")


@pytest.fixture
def fee(external_session):
    registration = make_registration(external_session, make_external())
    return registration.fee


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_booking_by_an_external_candidate_makes_the_years_fee_due(
    year, external_session, administrator
):
    services.update_cost_parameters(
        year, acting_user=None, values={"external_fee": Decimal("40.00")}
    )
    candidate = make_external()
    registration = sessions_services.book_external(
        external_session, candidate, acting_user=administrator, now=NOW
    )
    fee = Fee.objects.get(registration=registration)
    assert (fee.amount, fee.gip_share, fee.status) == (Decimal("40.00"), Decimal("10.00"), "due")
    assert fee.academic_year == year
    assert AuditEntry.objects.filter(action="fee_due", candidate_id=candidate.pk).count() == 1


def test_a_fee_is_created_once_per_registration(external_session):
    registration = make_registration(external_session, make_external())
    registration.save()  # saved again (e.g. confirmed_at touched): no second fee
    services.ensure_fee(registration)
    assert Fee.objects.filter(registration=registration).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it
        Fee.objects.create(registration=registration, academic_year=registration.academic_year)


def test_students_and_staff_get_no_fee(year, room):
    mixed = make_session(year, room, audience="mixed")
    staff_session = make_session(year, room, audience="staff", hour=14)
    make_registration(mixed, make_candidate(CandidateKind.STUDENT))
    make_registration(staff_session, make_candidate(CandidateKind.STAFF))
    assert not Fee.objects.exists()


def test_a_waitlisted_booking_owes_nothing_until_promoted(external_session):
    registration = make_registration(external_session, make_external(), status="waitlisted")
    assert not Fee.objects.exists()
    registration.status = "confirmed"
    registration.waitlist_order = None
    registration.save(update_fields=["status", "waitlist_order"])
    assert Fee.objects.get(registration=registration).status == FeeStatus.DUE


def test_cancelled_seat_releases_an_unpaid_fee(external_session, administrator):
    registration = make_registration(external_session, make_external())
    sessions_services.cancel_registration(registration, acting_user=administrator, now=NOW)
    assert Fee.objects.get(registration=registration).status == FeeStatus.CANCELLED


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_fee_above_45_euros_is_refused_with_a_clear_message(year, fee):
    with pytest.raises(ValidationError) as error:
        services.update_cost_parameters(year, acting_user=None, values={"external_fee": "45.01"})
    assert "ne peuvent pas dépasser 45 €" in str(error.value)
    fee.amount = Decimal("46")
    with pytest.raises(ValidationError) as error:
        fee.full_clean()
    assert "ne peuvent pas dépasser 45 €" in str(error.value)


def test_payment_gives_a_numbered_receipt_and_an_audit_row(fee, administrator):
    payment = services.record_payment(
        fee, acting_user=administrator, paid_on=PAID_ON, method="cheque", reference=" 1234567 "
    )
    fee.refresh_from_db()
    assert fee.status == FeeStatus.PAID
    assert payment.amount == Decimal("45.00")
    assert payment.reference == "1234567"
    assert payment.receipt.number == 1
    assert payment.receipt.display_number == "2025-2026-00001"
    entry = AuditEntry.objects.get(action="fee_paid")
    assert entry.actor == administrator
    assert entry.after["receipt"] == "2025-2026-00001"


def test_receipts_are_numbered_per_year(year, next_year, room, administrator):
    fees = [
        make_registration(make_session(year, room, hour=h), make_external()).fee for h in (9, 14)
    ]
    other = make_session(next_year, room, date=dt.date(2026, 10, 15))
    fees.append(make_registration(other, make_external()).fee)
    numbers = [
        services.record_payment(
            f, acting_user=administrator, paid_on=PAID_ON, method="card"
        ).receipt.display_number
        for f in fees
    ]
    assert numbers == ["2025-2026-00001", "2025-2026-00002", "2026-2027-00001"]


def test_a_fee_cannot_be_paid_twice(fee, administrator):
    services.record_payment(fee, acting_user=administrator, paid_on=PAID_ON, method="cash")
    with pytest.raises(services.BillingError, match="déjà payés"):
        services.record_payment(fee, acting_user=administrator, paid_on=PAID_ON, method="cash")
    assert Receipt.objects.count() == 1


@pytest.mark.parametrize("persona", ["referent", "external", "invigilator"])
def test_only_an_administrator_records_payments(request, fee, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(services.BillingError):
        services.record_payment(fee, acting_user=user, paid_on=PAID_ON, method="cash")
    with pytest.raises(services.BillingError):
        services.waive_fee(fee, acting_user=user, reason="geste")
    assert Fee.objects.get(pk=fee.pk).status == FeeStatus.DUE


def test_refund_when_the_centre_cancels_the_session(fee, administrator):
    services.record_payment(fee, acting_user=administrator, paid_on=PAID_ON, method="transfer")
    with pytest.raises(services.BillingError, match="pas été annulée"):
        services.record_refund(
            fee,
            acting_user=administrator,
            refunded_on=PAID_ON,
            reason=RefundReason.SESSION_CANCELLED,
        )
    session = fee.registration.session
    sessions_services.change_session_status(session, "cancelled", acting_user=administrator)
    fee.refresh_from_db()
    assert fee.status == FeeStatus.PAID  # still paid: the refund is recorded by a person
    refund = services.record_refund(
        fee,
        acting_user=administrator,
        refunded_on=dt.date(2025, 10, 20),
        reason=RefundReason.SESSION_CANCELLED,
    )
    fee.refresh_from_db()
    assert fee.status == FeeStatus.REFUNDED
    assert refund.amount == Decimal("45.00")
    assert AuditEntry.objects.filter(action="fee_refunded").count() == 1


def test_refund_when_the_candidate_cancels_before_the_deadline_only(
    external_session, administrator
):
    early = make_registration(external_session, make_external())
    late = make_registration(external_session, make_external())
    for registration in (early, late):
        services.record_payment(
            registration.fee, acting_user=administrator, paid_on=PAID_ON, method="card"
        )
    deadline = external_session.cancellation_deadline()
    sessions_services.cancel_registration(
        early, acting_user=administrator, now=deadline - dt.timedelta(hours=1)
    )
    sessions_services.cancel_registration(
        late, acting_user=administrator, now=deadline + dt.timedelta(hours=1)
    )
    reason = RefundReason.CANDIDATE_CANCELLED
    services.record_refund(early.fee, acting_user=administrator, refunded_on=PAID_ON, reason=reason)
    with pytest.raises(services.BillingError, match="après la date limite"):
        services.record_refund(
            late.fee, acting_user=administrator, refunded_on=PAID_ON, reason=reason
        )
    assert Fee.objects.get(pk=late.fee.pk).status == FeeStatus.PAID


def test_waiver_needs_a_reason_and_a_due_fee(fee, administrator):
    with pytest.raises(services.BillingError, match="motif"):
        services.waive_fee(fee, acting_user=administrator, reason="  ")
    services.waive_fee(fee, acting_user=administrator, reason="Agent en reconversion")
    fee.refresh_from_db()
    assert (fee.status, fee.waived_by, fee.waiver_reason) == (
        FeeStatus.WAIVED,
        administrator,
        "Agent en reconversion",
    )
    with pytest.raises(services.BillingError):
        services.record_payment(fee, acting_user=administrator, paid_on=PAID_ON, method="cash")
    assert AuditEntry.objects.filter(action="fee_waived").count() == 1


def test_saving_a_detail_of_a_seat_costs_no_billing_query(
    external_session, django_assert_num_queries
):
    registration = make_registration(external_session, make_external())
    registration.complementary = "droit"
    with django_assert_num_queries(1):  # the UPDATE itself
        registration.save(update_fields=["complementary"])


# --- The fee follows the seat when an administrator moves the candidate -----------------------


@pytest.fixture
def booked_external(year, room, administrator):
    first = make_session(year, room, audience="external")
    candidate = make_external()
    registration = sessions_services.book_external(
        first, candidate, acting_user=administrator, now=NOW
    )
    later = make_session(year, room, audience="external", date=dt.date(2025, 10, 22))
    return registration, later


def _move(registration, session, administrator):
    return sessions_services.override_seat(
        session, registration.candidate, acting_user=administrator, now=NOW
    )


def test_moving_a_paid_external_to_another_session_asks_for_no_second_fee(
    booked_external, administrator
):
    registration, later = booked_external
    services.record_payment(
        registration.fee, acting_user=administrator, paid_on=PAID_ON, method="cheque"
    )
    moved = _move(registration, later, administrator)

    fees = Fee.objects.filter(registration__candidate=registration.candidate)
    assert [(f.registration_id, f.status) for f in fees] == [(moved.pk, FeeStatus.PAID)]
    assert moved.moved_from_id == registration.pk
    assert fees.get().payment.receipt.number == 1  # the same payment and receipt
    entry = AuditEntry.objects.get(action="fee_moved")
    assert entry.before == {"registration": registration.pk, "status": "paid"}
    assert entry.session_id == later.pk


def test_moving_an_external_who_has_not_paid_yet_keeps_one_fee_due(booked_external, administrator):
    registration, later = booked_external
    fee_id = registration.fee.pk
    moved = _move(registration, later, administrator)
    fees = Fee.objects.filter(registration__candidate=registration.candidate)
    assert [(f.pk, f.registration_id, f.status) for f in fees] == [
        (fee_id, moved.pk, FeeStatus.DUE)
    ]


def test_a_waived_fee_stays_waived_after_a_move(booked_external, administrator):
    registration, later = booked_external
    services.waive_fee(registration.fee, acting_user=administrator, reason="Agent de l’université")
    moved = _move(registration, later, administrator)
    assert Fee.objects.get(registration__candidate=registration.candidate).status == "waived"
    assert Fee.objects.get(registration=moved).waiver_reason == "Agent de l’université"


def test_moving_back_and_forth_still_leaves_one_paid_fee(booked_external, administrator):
    registration, later = booked_external
    first = registration.session
    services.record_payment(
        registration.fee, acting_user=administrator, paid_on=PAID_ON, method="card"
    )
    back = _move(_move(registration, later, administrator), first, administrator)
    fees = Fee.objects.filter(registration__candidate=registration.candidate)
    assert [(f.registration_id, f.status) for f in fees] == [(back.pk, FeeStatus.PAID)]
