"""The external candidate's emails about money, in the candidate's language, through
``accounts.emails`` (templates in ``billing/templates/billing/emails/``).

* The booking email: a seat is confirmed (booked, or given from the waitlist) and its fee is
  due: the session, the amount and how to pay. sessions_app leaves a paying seat's
  confirmation to this email, so that the candidate gets one message, not two.
* The receipt email on payment, the refund email on refund: the receipt PDF attached.

The first leaves from accounts' ``send_email`` task once the fee's transaction commits.
The other two are sent by tasks (``tasks.send_receipt_email``, ``tasks.send_refund_email``)
that claim ``emailed_at`` first (``UPDATE … WHERE emailed_at IS NULL``): a second run, or the
outbox publishing a task twice, sends nothing more; a mail server that refuses gives the
claim back and the task is retried. Amounts, dates and the session are written in the
reader's language before the templates are rendered in it.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.html import strip_tags

from accounts.emails import (
    build_message,
    emails_are_suppressed,
    render_email,
    send_templated_email,
)
from outbox.dispatch import enqueue

from .models import Receipt, Refund


def _recipient(candidate) -> str:
    return candidate.convocation_email or (candidate.user.email if candidate.user_id else "")


def _language(candidate) -> str:
    from sessions_app.services.mail import candidate_language

    return candidate_language(candidate)


def _money(amount) -> str:
    return number_format(amount, 2, use_l10n=True, force_grouping=True)


def _how_to_pay() -> str:
    """The words of ``billing/_how_to_pay.html``, as text."""
    html = render_to_string(
        "billing/_how_to_pay.html", {"centre_contact_email": settings.PIX_CENTRE_CONTACT_EMAIL}
    )
    return " ".join(strip_tags(html).split())


def _session(registration) -> str:
    from sessions_app.services.mail import describe_session

    return describe_session(registration.session)


def booking_context(fee, language: str) -> dict:
    """What the booking email says, written in ``language``."""
    registration = fee.registration
    with translation.override(language):
        return {
            "name": registration.candidate.first_name,
            "session": _session(registration),
            "amount": _money(fee.amount),
            "how": _how_to_pay(),
            "deadline": date_format(
                timezone.localtime(registration.session.cancellation_deadline()), "j F Y H:i"
            ),
        }


def queue_booking_email(fee):
    """Called where the fee is created, in the booking's transaction: leaves after commit."""
    candidate = fee.registration.candidate
    to = _recipient(candidate)
    if not to or emails_are_suppressed():
        return
    language = _language(candidate)
    send_templated_email(
        to, "billing/emails/booking", booking_context(fee, language), language=language
    )


def queue_receipt_email(receipt_id: int):
    if not emails_are_suppressed():
        enqueue("billing.tasks.send_receipt_email", receipt_id)


def queue_refund_email(refund_id: int):
    if not emails_are_suppressed():
        enqueue("billing.tasks.send_refund_email", refund_id)


def _claim(model, pk) -> bool:
    return model.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=timezone.now())


def _release(model, pk):
    model.objects.filter(pk=pk).update(emailed_at=None)


def _receipt_attachment(receipt: Receipt, message):
    from .receipts import generate_receipt

    if not receipt.file:
        receipt = generate_receipt(receipt.pk)  # the PDF's task has not run yet: make it now
    with receipt.file.open("rb") as handle:
        message.attach(f"recu-{receipt.display_number}.pdf", handle.read(), "application/pdf")


def _receipt(receipt_id) -> Receipt | None:
    return (
        Receipt.objects.select_related(
            "year",
            "payment__fee__registration__candidate__user",
            "payment__fee__registration__session__room",
        )  # fmt: skip
        .filter(pk=receipt_id)
        .first()
    )


def send_receipt_email(receipt_id: int) -> str:
    """The receipt of a payment, by email, once."""
    receipt = _receipt(receipt_id)
    if receipt is None:
        return "missing"
    payment = receipt.payment
    registration = payment.fee.registration
    candidate = registration.candidate
    to = _recipient(candidate)
    if not to:
        return "no address"
    if not _claim(Receipt, receipt.pk):
        return "sent already"
    try:
        language = _language(candidate)
        with translation.override(language):
            context = {
                "name": candidate.first_name,
                "amount": _money(payment.amount),
                "method": payment.get_method_display(),
                "paid_on": date_format(payment.paid_on, "j F Y"),
                "session": _session(registration),
                "number": receipt.display_number,
            }
        email = render_email("billing/emails/receipt", context, language=language)
        message = build_message(email, to)
        _receipt_attachment(receipt, message)
        message.send()
    except Exception:
        _release(Receipt, receipt.pk)
        raise
    return "sent"


def send_refund_email(refund_id: int) -> str:
    """A refund, by email, once, with the payment's receipt attached."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None:
        return "missing"
    receipt = _receipt(refund.payment.receipt.pk)
    registration = receipt.payment.fee.registration
    candidate = registration.candidate
    to = _recipient(candidate)
    if not to:
        return "no address"
    if not _claim(Refund, refund.pk):
        return "sent already"
    try:
        language = _language(candidate)
        with translation.override(language):
            context = {
                "name": candidate.first_name,
                "amount": _money(refund.amount),
                "refunded_on": date_format(refund.refunded_on, "j F Y"),
                "reason": refund.get_reason_display(),
                "session": _session(registration),
                "number": receipt.display_number,
            }
        email = render_email("billing/emails/refund", context, language=language)
        message = build_message(email, to)
        _receipt_attachment(receipt, message)
        message.send()
    except Exception:
        _release(Refund, refund.pk)
        raise
    return "sent"
