"""The external candidate's emails about money, in the candidate's language.

* The booking email: a seat is confirmed (booked, or given from the waitlist) and its fee is
  due: the session, the amount and how to pay. sessions_app leaves a paying seat's
  confirmation to this email, so that the candidate gets one message, not two.
* The receipt email on payment, the refund email on refund: the receipt PDF attached.

The first leaves from sessions_app's ``send_email`` task once the fee's transaction commits.
The other two are sent by tasks (``tasks.send_receipt_email``, ``tasks.send_refund_email``)
that claim ``emailed_at`` first (``UPDATE … WHERE emailed_at IS NULL``): a second run, or the
outbox publishing a task twice, sends nothing more; a mail server that refuses gives the
claim back and the task is retried.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from outbox.dispatch import enqueue

from .models import Receipt, Refund


def _recipient(candidate) -> str:
    return candidate.convocation_email or (candidate.user.email if candidate.user_id else "")


def _language(candidate) -> str:
    from sessions_app.services.mail import candidate_language

    return candidate_language(candidate)


def _money(amount) -> str:
    return number_format(amount, 2, use_l10n=True, force_grouping=True)


def _signature() -> str:
    return "\n\n" + _("L’équipe du %(centre)s\n%(contact)s") % {
        "centre": settings.PIX_CENTRE_NAME,
        "contact": settings.PIX_CENTRE_CONTACT_EMAIL,
    }


def _subject(text: str) -> str:
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{text}"


def _how_to_pay() -> str:
    """The words of ``billing/_how_to_pay.html``, as text."""
    html = render_to_string(
        "billing/_how_to_pay.html", {"centre_contact_email": settings.PIX_CENTRE_CONTACT_EMAIL}
    )
    from django.utils.html import strip_tags

    return " ".join(strip_tags(html).split())


def booking_email(fee) -> tuple[str, str]:
    """(subject, body) of a paying seat's confirmation, in the candidate's language."""
    from sessions_app.services.mail import describe_session

    registration = fee.registration
    candidate = registration.candidate
    with translation.override(_language(candidate)):
        subject = _("Votre place est réservée : %(amount)s € à régler") % {
            "amount": _money(fee.amount)
        }
        body = _(
            "Bonjour %(name)s,\n\nVotre place est confirmée pour la session de certification "
            "Pix %(session)s.\n\nFrais d’inscription : %(amount)s €.\n%(how)s\n\nVous pouvez "
            "annuler depuis votre espace jusqu’au %(deadline)s."
        ) % {
            "name": candidate.first_name,
            "session": describe_session(registration.session),
            "amount": _money(fee.amount),
            "how": _how_to_pay(),
            "deadline": date_format(
                timezone.localtime(registration.session.cancellation_deadline()), "j F Y H:i"
            ),
        }
        return _subject(subject), body + _signature()


def queue_booking_email(fee):
    """Called where the fee is created, in the booking's transaction: leaves after commit."""
    from sessions_app.services.mail import emails_are_suppressed

    to = _recipient(fee.registration.candidate)
    if not to or emails_are_suppressed():
        return
    subject, body = booking_email(fee)
    enqueue("accounts.tasks.send_email", subject, body, to)


def queue_receipt_email(receipt_id: int):
    from sessions_app.services.mail import emails_are_suppressed

    if not emails_are_suppressed():
        enqueue("billing.tasks.send_receipt_email", receipt_id)


def queue_refund_email(refund_id: int):
    from sessions_app.services.mail import emails_are_suppressed

    if not emails_are_suppressed():
        enqueue("billing.tasks.send_refund_email", refund_id)


def _claim(model, pk) -> bool:
    return model.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=timezone.now())


def _release(model, pk):
    model.objects.filter(pk=pk).update(emailed_at=None)


def _receipt_attachment(receipt: Receipt, message: EmailMessage):
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
    from sessions_app.services.mail import describe_session

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
        with translation.override(_language(candidate)):
            body = _(
                "Bonjour %(name)s,\n\nLe centre a bien reçu votre paiement de %(amount)s € "
                "(%(method)s, le %(paid_on)s) pour la session de certification Pix "
                "%(session)s. Votre reçu n° %(number)s est joint."
            ) % {
                "name": candidate.first_name,
                "amount": _money(payment.amount),
                "method": payment.get_method_display(),
                "paid_on": date_format(payment.paid_on, "j F Y"),
                "session": describe_session(registration.session),
                "number": receipt.display_number,
            }
            message = EmailMessage(
                _subject(_("Votre reçu n° %(number)s") % {"number": receipt.display_number}),
                body + _signature(),
                to=[to],
            )
        _receipt_attachment(receipt, message)
        message.send()
    except Exception:
        _release(Receipt, receipt.pk)
        raise
    return "sent"


def send_refund_email(refund_id: int) -> str:
    """A refund, by email, once, with the payment's receipt attached."""
    from sessions_app.services.mail import describe_session

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
        with translation.override(_language(candidate)):
            body = _(
                "Bonjour %(name)s,\n\nLe centre vous rembourse %(amount)s € (le %(refunded_on)s, "
                "motif : %(reason)s) pour la session de certification Pix %(session)s. Le reçu "
                "de votre paiement, n° %(number)s, est joint."
            ) % {
                "name": candidate.first_name,
                "amount": _money(refund.amount),
                "refunded_on": date_format(refund.refunded_on, "j F Y"),
                "reason": refund.get_reason_display(),
                "session": describe_session(registration.session),
                "number": receipt.display_number,
            }
            message = EmailMessage(
                _subject(_("Remboursement de vos frais de certification Pix")),
                body + _signature(),
                to=[to],
            )
        _receipt_attachment(receipt, message)
        message.send()
    except Exception:
        _release(Refund, refund.pk)
        raise
    return "sent"
