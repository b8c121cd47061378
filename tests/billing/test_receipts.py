"""Receipt PDFs (by a Celery task after commit, stored once) and gap-free numbering under
concurrent payments (PostgreSQL)."""

import datetime as dt
import io
import threading
import time

import pytest
from django.db import close_old_connections, connection

from billing import services, tasks
from billing.models import Receipt, ReceiptCounter
from tests.billing.conftest import make_external, make_registration, make_session
from tests.conftest import make_user

PAID_ON = dt.date(2025, 10, 2)


def _text(pdf_bytes):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.django_db
def test_payment_stores_its_receipt_pdf_after_commit(
    year, room, administrator, django_capture_on_commit_callbacks
):
    registration = make_registration(make_session(year, room), make_external())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payment = services.record_payment(
            registration.fee,
            acting_user=administrator,
            paid_on=PAID_ON,
            method="cheque",
            reference="CHQ-778",
        )
    assert len(callbacks) == 2  # the PDF, then the email that sends it
    receipt = Receipt.objects.get(payment=payment)
    assert receipt.generated_at is not None
    content = receipt.file.read()
    assert content.startswith(b"%PDF")
    pages, text = _text(content)
    assert pages == 1
    assert "Reçu n° 2025-2026-00001" in text
    assert registration.candidate.birth_name in text
    assert "45,00 €" in text or "45.00 €" in text
    assert "Chèque" in text and "CHQ-778" in text


@pytest.mark.django_db
def test_second_run_of_the_task_keeps_the_stored_file(year, room, administrator):
    registration = make_registration(make_session(year, room), make_external())
    payment = services.record_payment(
        registration.fee, acting_user=administrator, paid_on=PAID_ON, method="card"
    )
    first = tasks.generate_receipt_pdf.delay(payment.receipt.pk).get()
    receipt = Receipt.objects.get(pk=payment.receipt.pk)
    stamp = receipt.generated_at
    second = tasks.generate_receipt_pdf.delay(receipt.pk).get()
    receipt.refresh_from_db()
    assert first["file"] == second["file"] == receipt.file.name
    assert receipt.generated_at == stamp
    assert receipt.number == 1 and ReceiptCounter.objects.get(year=year).last_number == 1
    assert tasks.generate_receipt_pdf.delay(999999).get()["status"] == "missing"


# --- concurrency (PostgreSQL) -----------------------------------------------------------------

PAYMENTS = 50


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises writers, so it "
            "cannot show whether the counter's row lock is what prevents duplicates"
        )


def _pay_concurrently(fees, administrator):
    """Pay every fee from its own thread, all released at once; returns the errors."""
    barrier = threading.Barrier(len(fees))
    errors = []

    def pay(fee):
        try:
            barrier.wait(timeout=30)
            services.record_payment(fee, acting_user=administrator, paid_on=PAID_ON, method="card")
        except Exception as exc:  # noqa: BLE001 — the control run counts them
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=pay, args=(fee,)) for fee in fees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.fixture
def fifty_fees(year, monkeypatch):
    _postgres_only()
    # PDFs are tested above; here the transactions alone matter.
    monkeypatch.setattr(services, "_enqueue_receipt_pdf", lambda receipt_id: None)
    administrator = make_user("gestion.concurrence@univ-avignon.fr", "administrator")
    from sessions_app.models import Room

    room = Room.objects.create(site="Campus", name="Amphi", capacity=60)
    session = make_session(year, room, capacity=PAYMENTS)
    fees = [make_registration(session, make_external()).fee for _ in range(PAYMENTS)]
    return fees, administrator


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_payments_get_receipts_1_to_50(fifty_fees, year, monkeypatch):
    fees, administrator = fifty_fees
    # Widen the window between reading and writing the counter: with the lock, the others wait.
    monkeypatch.setattr(services, "_after_counter_read", lambda: time.sleep(0.01))
    errors = _pay_concurrently(fees, administrator)
    assert errors == []
    numbers = sorted(Receipt.objects.filter(year=year).values_list("number", flat=True))
    assert numbers == list(range(1, PAYMENTS + 1))
    assert ReceiptCounter.objects.get(year=year).last_number == PAYMENTS


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_duplicates_appear(fifty_fees, year, monkeypatch):
    """The same run with the row lock switched off: payments read the same counter and collide
    on the unique (year, number) constraint — so the test above would catch a missing lock."""
    fees, administrator = fifty_fees
    monkeypatch.setattr(services, "LOCK_RECEIPT_COUNTER", False)
    monkeypatch.setattr(services, "_after_counter_read", lambda: time.sleep(0.05))
    errors = _pay_concurrently(fees, administrator)
    numbers = sorted(Receipt.objects.filter(year=year).values_list("number", flat=True))
    counter = ReceiptCounter.objects.get(year=year).last_number
    broken = errors or numbers != list(range(1, PAYMENTS + 1)) or counter != PAYMENTS
    assert broken, "without the lock, concurrent payments should collide"
    assert len(errors) + len(numbers) == PAYMENTS
