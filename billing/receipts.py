"""Receipt PDFs: rendered from a Django template by WeasyPrint, stored once with generated_at.

The number is given by ``services.record_payment`` in the payment's transaction; this module
only turns a numbered receipt into a file (called by ``tasks.generate_receipt_pdf``).
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from pixcentre import pdf

from .models import Receipt


def receipt_context(receipt: Receipt) -> dict:
    payment = receipt.payment
    registration = payment.fee.registration
    return {
        "centre_name": settings.PIX_CENTRE_NAME,
        "centre_contact_email": settings.PIX_CENTRE_CONTACT_EMAIL,
        "receipt": receipt,
        "payment": payment,
        "candidate": registration.candidate,
        "session": registration.session,
        "issued_text": date_format(timezone.localtime(receipt.issued_at), "j F Y"),
        "paid_text": date_format(payment.paid_on, "j F Y"),
        "session_text": date_format(registration.session.date, "l j F Y"),
    }


def render_pdf(receipt: Receipt) -> bytes:
    with translation.override("fr"):
        html = render_to_string("billing/pdf/receipt.html", receipt_context(receipt))
    return pdf.write_pdf(html)


def generate_receipt(receipt_id: int, *, now=None) -> Receipt | None:
    """Store the receipt's PDF unless it is stored already (a second run does nothing)."""
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related(
                "year",
                "payment__fee__registration__candidate",
                "payment__fee__registration__session__room",
            )
            .filter(pk=receipt_id)
            .first()
        )
        if receipt is None or (receipt.file and receipt.generated_at):
            return receipt
        pdf = render_pdf(receipt)
        receipt.file.save(f"recu-{receipt.display_number}.pdf", ContentFile(pdf), save=False)
        receipt.generated_at = now or timezone.now()
        receipt.save(update_fields=["file", "generated_at"])
        return receipt
