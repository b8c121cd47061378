"""Billing workflows: a year's cost parameters (with their history), and external candidates'
fees: due when their seat is confirmed, paid (with a receipt numbered without gaps), refunded
or waived. Public entries are durable transactions taking keyword-only ``acting_user``; the
``_…`` variants run inside the caller's transaction (signals, the demo loader).
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from outbox.dispatch import enqueue
from pixcentre.errors import DomainError

from . import costs, emails
from .models import (
    CostParameterChange,
    CostParameterSet,
    Fee,
    FeeStatus,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptCounter,
    Refund,
    RefundReason,
)


def cost_parameters_for(year) -> CostParameterSet:
    """The year's parameter set, created with the seed's values the first time it is asked for.

    The administrative support weeks default to the year's full weeks (52 for a 12-month year).
    """
    parameter_set, _created = CostParameterSet.objects.get_or_create(
        year=year,
        defaults={"admin_support_weeks": costs.weeks_between(year.start_date, year.end_date)},
    )
    return parameter_set


def parameters_for_year(year=None) -> costs.CostParameters:
    """The figures to compute with: the year's when it has some, else the seed's."""
    if year is None:
        return costs.SEED_PARAMETERS
    parameter_set = CostParameterSet.objects.filter(year=year).first()
    return parameter_set.as_parameters() if parameter_set else costs.SEED_PARAMETERS


def update_cost_parameters(year, *, acting_user, values: dict, note: str = "", now=None):
    """Change some of the year's cost parameters; returns the changes recorded (maybe none)."""
    with transaction.atomic(durable=True):
        return apply_cost_parameter_changes(
            year, acting_user=acting_user, values=values, note=note, now=now
        )


def apply_cost_parameter_changes(year, *, acting_user, values: dict, note: str = "", now=None):
    """``update_cost_parameters`` inside the caller's transaction (the demo loader uses it).

    The row is locked, the new values validated (``ValidationError`` with the field's French
    message, e.g. a fee above 45 €), then one ``CostParameterChange`` is written per field whose
    value really changed (18.7 and 18.70 are the same amount).
    """
    unknown = set(values) - set(CostParameterSet.PARAMETER_FIELDS)
    if unknown:
        raise ValueError(f"not cost parameters: {sorted(unknown)}")
    cost_parameters_for(year)
    parameter_set = (
        CostParameterSet.objects.select_for_update().select_related("year").get(year=year)
    )
    now = now or timezone.now()
    if parameter_set.is_locked(now):
        raise BillingError(
            _(
                "L’année %(year)s est close : ses paramètres de coût sont verrouillés. "
                "Rouvrez-les avec un motif pour les corriger."
            )
            % {"year": year.label}
        )
    changes = []
    for name, new in values.items():
        field = CostParameterSet._meta.get_field(name)
        old = getattr(parameter_set, name)
        new = field.to_python(new)
        if new == old:
            continue
        setattr(parameter_set, name, new)
        changes.append(
            CostParameterChange(
                parameter_set=parameter_set,
                changed_by=acting_user,
                changed_at=now,
                field=name,
                old_value=_as_text(field, old),
                new_value=_as_text(field, new),
                note=note,
            )
        )
    if not changes:
        return []
    parameter_set.full_clean()
    parameter_set.save()
    return CostParameterChange.objects.bulk_create(changes)


REOPEN_HOURS = 24


def reopen_cost_parameters(year, *, acting_user, reason: str, now=None) -> CostParameterSet:
    """The referent reopens a closed year's cost parameters for ``REOPEN_HOURS``, saying why;
    the reopening is audited (``cost_parameters_reopened``) and each change made meanwhile is in
    the parameters' history as usual."""
    reason = (reason or "").strip()
    if not (acting_user and acting_user.is_authenticated and acting_user.is_referent):
        raise BillingError(_("Seul le référent Pix peut rouvrir les paramètres d’une année close."))
    if not reason:
        raise BillingError(_("Indiquez le motif de la réouverture."))
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        cost_parameters_for(year)
        parameter_set = (
            CostParameterSet.objects.select_for_update().select_related("year").get(year=year)
        )
        if not parameter_set.is_locked(now):
            raise BillingError(_("Ces paramètres ne sont pas verrouillés."))
        before = parameter_set.reopened_until
        parameter_set.reopened_until = now + dt.timedelta(hours=REOPEN_HOURS)
        parameter_set.reopened_by = acting_user
        parameter_set.reopen_reason = reason[:200]
        parameter_set.save(update_fields=["reopened_until", "reopened_by", "reopen_reason"])
        audit.record(
            AuditAction.COST_PARAMETERS_REOPENED,
            actor=acting_user,
            obj=parameter_set,
            before={"reopened_until": before.isoformat() if before else None},
            after={"reopened_until": parameter_set.reopened_until.isoformat(), "reason": reason},
            summary=_("Paramètres de coût %(year)s rouverts : %(reason)s")
            % {"year": year.label, "reason": reason},
            now=now,
        )
    return parameter_set


def _as_text(field, value) -> str:
    """Stored form of a value in the history: decimals with their field's places."""
    if getattr(field, "decimal_places", None) is not None:
        return str(field.to_python(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    return str(value)


# --- External fees ----------------------------------------------------------------------------


class BillingError(DomainError):
    """A fee operation refused, with a message for people."""


# Test hooks for the concurrency test's control run: without the lock, two payments read the
# same counter; the pause widens the window between reading and writing the number.
LOCK_RECEIPT_COUNTER = True
_after_counter_read = None


def _require_administrator(user):
    if not (user and user.is_authenticated and user.is_administrator):
        raise BillingError(_("Seul un gestionnaire peut enregistrer un paiement."))


def ensure_fee(registration, *, now=None) -> Fee | None:
    """The fee of an external candidate's confirmed seat, created once (None for others).

    Runs in the caller's transaction: the booking and its fee are written together. Students
    pay nothing and staff owe nothing; only ``CandidateKind.EXTERNAL`` gets a fee.
    """
    from candidates.models import CandidateKind

    if registration.candidate.kind != CandidateKind.EXTERNAL:
        return None
    existing = Fee.objects.filter(registration=registration).first()
    if existing:
        return existing
    now = now or timezone.now()
    if registration.moved_from_id and (moved := _fee_follows_the_seat(registration, now)):
        return moved
    params = parameters_for_year(registration.academic_year)
    # get_or_create works in a savepoint: a concurrent creation meets the unique constraint
    # and reads the other fee instead of breaking the booking.
    fee, created = Fee.objects.get_or_create(
        registration=registration,
        defaults={
            "academic_year_id": registration.academic_year_id,
            "amount": params.external_fee,
            "gip_share": params.gip_share,
            "created_at": now,
        },
    )
    if created:
        audit.record(
            AuditAction.FEE_DUE,
            actor=registration.created_by,
            obj=fee,
            candidate_id=registration.candidate_id,
            session_id=registration.session_id,
            after={"amount": str(fee.amount), "status": fee.status},
            summary=_("Frais dus : %(amount)s €") % {"amount": fee.amount},
            now=now,
        )
        emails.queue_booking_email(fee)  # the seat, the amount and how to pay
    return fee


def _fee_follows_the_seat(registration, now) -> Fee | None:
    """An administrator moved the candidate (``moved_from``): the old seat's fee becomes this
    seat's, paid, waived or still due, instead of a second fee being asked for.

    The old seat was cancelled a moment earlier in the same transaction, which released its
    fee if it was unpaid (``release_unpaid_fee``): a seat's fee is cancelled only with its
    seat, and the old seat was active until this move, so a cancelled fee here was cancelled
    by the move and is due again. A refunded fee stays with the old seat: the candidate was
    paid back, the new seat owes a fee of its own.
    """
    fee = (
        Fee.objects.select_for_update(of=("self",))
        .filter(registration_id=registration.moved_from_id)
        .first()
    )
    if fee is None or fee.status == FeeStatus.REFUNDED:
        return None
    before = {"registration": fee.registration_id, "status": fee.status}
    fee.registration = registration
    if fee.status == FeeStatus.CANCELLED:
        fee.status = FeeStatus.DUE
    fee.save(update_fields=["registration", "status"])
    audit.record(
        AuditAction.FEE_MOVED,
        actor=registration.created_by,
        obj=fee,
        candidate_id=registration.candidate_id,
        session_id=registration.session_id,
        before=before,
        after={"registration": registration.pk, "status": fee.status},
        summary=_("Frais reportés sur la nouvelle session (%(status)s)")
        % {"status": fee.get_status_display()},
        now=now,
    )
    return fee


def release_unpaid_fee(registration, *, now=None) -> Fee | None:
    """A cancelled seat owes nothing more: an unpaid fee becomes ``CANCELLED``. A paid fee stays
    paid until an administrator records its refund (``record_refund``)."""
    with transaction.atomic(savepoint=False):  # the caller's transaction, else our own
        fee = Fee.objects.select_for_update().filter(registration=registration).first()
        if fee is None or fee.status != FeeStatus.DUE:
            return fee
        _cancel_fee(fee, registration, now)
    return fee


def _cancel_fee(fee, registration, now):
    fee.status = FeeStatus.CANCELLED
    fee.save(update_fields=["status"])
    audit.record(
        AuditAction.FEE_CANCELLED,
        obj=fee,
        candidate_id=registration.candidate_id,
        session_id=registration.session_id,
        before={"status": FeeStatus.DUE},
        after={"status": FeeStatus.CANCELLED},
        summary=_("Frais annulés avec l’inscription"),
        now=now,
    )


def _locked_fee(fee) -> Fee:
    return (
        Fee.objects.select_for_update(of=("self",))
        .select_related("registration__session", "registration__candidate", "academic_year")
        .get(pk=fee.pk)
    )


def _next_receipt_number(year) -> int:
    """Take the next receipt number of the year, in the caller's transaction.

    The year's counter row is created if missing (``INSERT … ON CONFLICT DO NOTHING``), locked
    with ``SELECT … FOR UPDATE``, then incremented: concurrent payments wait for each other, and
    a payment rolled back gives its number back with it, so there is no gap.
    """
    ReceiptCounter.objects.bulk_create([ReceiptCounter(year=year)], ignore_conflicts=True)
    counters = ReceiptCounter.objects.filter(year=year)
    if LOCK_RECEIPT_COUNTER:
        counters = counters.select_for_update()
    counter = counters.get()
    number = counter.last_number + 1
    if _after_counter_read is not None:
        _after_counter_read()
    ReceiptCounter.objects.filter(pk=counter.pk).update(last_number=number)
    return number


def _enqueue_receipt_pdf(receipt_id: int):
    enqueue("billing.tasks.generate_receipt_pdf", receipt_id)


def _record_payment(
    fee, *, acting_user, paid_on, method, reference="", now=None, make_pdf=True
) -> Payment:
    _require_administrator(acting_user)
    now = now or timezone.now()
    if method not in PaymentMethod.values:
        raise BillingError(_("Moyen de paiement inconnu."))
    fee = _locked_fee(fee)
    if fee.status == FeeStatus.PAID:
        raise BillingError(_("Ces frais sont déjà payés."))
    if fee.status != FeeStatus.DUE:
        raise BillingError(
            _("Ces frais ne sont pas à payer (%(status)s).") % {"status": fee.get_status_display()}
        )
    payment = Payment.objects.create(
        fee=fee,
        amount=fee.amount,
        paid_on=paid_on,
        method=method,
        reference=reference.strip(),
        recorded_by=acting_user,
        recorded_at=now,
    )
    receipt = Receipt.objects.create(
        payment=payment,
        year=fee.academic_year,
        number=_next_receipt_number(fee.academic_year),
        issued_at=now,
    )
    fee.status = FeeStatus.PAID
    fee.save(update_fields=["status"])
    registration = fee.registration
    audit.record(
        AuditAction.FEE_PAID,
        actor=acting_user,
        obj=payment,
        candidate_id=registration.candidate_id,
        session_id=registration.session_id,
        before={"status": FeeStatus.DUE},
        after={
            "status": FeeStatus.PAID,
            "amount": str(payment.amount),
            "method": method,
            "reference": payment.reference,
            "receipt": receipt.display_number,
        },
        summary=_("Paiement de %(amount)s € (%(method)s), reçu %(receipt)s")
        % {
            "amount": payment.amount,
            "method": payment.get_method_display(),
            "receipt": receipt.display_number,
        },
        now=now,
    )
    if make_pdf:
        _enqueue_receipt_pdf(receipt.pk)
    emails.queue_receipt_email(receipt.pk)
    return payment


def record_payment(
    fee, *, acting_user, paid_on: dt.date, method: str, reference: str = "", now=None
) -> Payment:
    """An administrator records that a due fee was paid; its receipt gets the year's next
    number in the same transaction, and its PDF is produced after commit."""
    with transaction.atomic(durable=True):
        return _record_payment(
            fee,
            acting_user=acting_user,
            paid_on=paid_on,
            method=method,
            reference=reference,
            now=now,
        )


def refund_problem(fee, reason: str) -> str | None:
    """Why ``fee`` may not be refunded for ``reason`` (None: it may)."""
    registration = fee.registration
    session = registration.session
    if fee.status != FeeStatus.PAID:
        return _("Seuls des frais payés peuvent être remboursés.")
    if reason == RefundReason.SESSION_CANCELLED:
        if session.status != "cancelled":
            return _("La session n’a pas été annulée par le centre.")
        return None
    if reason == RefundReason.CANDIDATE_CANCELLED:
        if registration.status != "cancelled" or registration.cancelled_at is None:
            return _("L’inscription du candidat n’est pas annulée.")
        if registration.cancelled_at > session.cancellation_deadline():
            return _("Le candidat a annulé après la date limite : pas de remboursement.")
        return None
    return _("Motif de remboursement inconnu.")


def _record_refund(fee, *, acting_user, refunded_on, reason, reference="", now=None) -> Refund:
    _require_administrator(acting_user)
    now = now or timezone.now()
    fee = _locked_fee(fee)
    problem = refund_problem(fee, reason)
    if problem:
        raise BillingError(problem)
    refund = Refund.objects.create(
        payment=fee.payment,
        amount=fee.payment.amount,
        refunded_on=refunded_on,
        reason=reason,
        reference=reference.strip(),
        recorded_by=acting_user,
        recorded_at=now,
    )
    fee.status = FeeStatus.REFUNDED
    fee.save(update_fields=["status"])
    audit.record(
        AuditAction.FEE_REFUNDED,
        actor=acting_user,
        obj=refund,
        candidate_id=fee.registration.candidate_id,
        session_id=fee.registration.session_id,
        before={"status": FeeStatus.PAID},
        after={"status": FeeStatus.REFUNDED, "amount": str(refund.amount), "reason": reason},
        summary=_("Remboursement de %(amount)s € : %(reason)s")
        % {"amount": refund.amount, "reason": refund.get_reason_display()},
        now=now,
    )
    emails.queue_refund_email(refund.pk)
    return refund


def record_refund(
    fee, *, acting_user, refunded_on: dt.date, reason: str, reference: str = "", now=None
) -> Refund:
    """Refund a paid fee: the centre cancelled the session, or the candidate cancelled before
    the deadline. Anything else is refused."""
    with transaction.atomic(durable=True):
        return _record_refund(
            fee,
            acting_user=acting_user,
            refunded_on=refunded_on,
            reason=reason,
            reference=reference,
            now=now,
        )


def _waive_fee(fee, *, acting_user, reason, now=None) -> Fee:
    _require_administrator(acting_user)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise BillingError(_("Indiquez le motif de l’exonération."))
    fee = _locked_fee(fee)
    if fee.status != FeeStatus.DUE:
        raise BillingError(_("Seuls des frais à payer peuvent être exonérés."))
    fee.status = FeeStatus.WAIVED
    fee.waived_at = now
    fee.waived_by = acting_user
    fee.waiver_reason = reason
    fee.save(update_fields=["status", "waived_at", "waived_by", "waiver_reason"])
    audit.record(
        AuditAction.FEE_WAIVED,
        actor=acting_user,
        obj=fee,
        candidate_id=fee.registration.candidate_id,
        session_id=fee.registration.session_id,
        before={"status": FeeStatus.DUE},
        after={"status": FeeStatus.WAIVED, "reason": reason},
        summary=_("Frais exonérés : %(reason)s") % {"reason": reason},
        now=now,
    )
    return fee


def waive_fee(fee, *, acting_user, reason: str, now=None) -> Fee:
    """An administrator waives a due fee, with a reason."""
    with transaction.atomic(durable=True):
        return _waive_fee(fee, acting_user=acting_user, reason=reason, now=now)
