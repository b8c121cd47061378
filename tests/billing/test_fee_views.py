"""Fee pages: the external candidate's fees and receipts, the administrators' list and
actions, and the GIP Pix statement (CSV safe against formula injection, PDF)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import reports, services
from billing.models import Fee, FeeStatus, Receipt
from candidates.models import Candidate, CandidateKind
from sessions_app import services as sessions_services
from tests.billing.conftest import make_external, make_registration, make_session
from tests.sessions_app.conftest import make_candidate

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2025, 10, 2)


@pytest.fixture
def own_fee(year, room, external):
    session = make_session(year, room, date=dt.date(2031, 10, 15))  # to come
    return make_registration(session, Candidate.objects.get(user=external)).fee


def _paid(fee, administrator, execute, **kwargs):
    with execute(execute=True):
        return services.record_payment(
            fee, acting_user=administrator, paid_on=PAID_ON, method="card", **kwargs
        )


def test_external_candidate_sees_what_is_due_then_downloads_the_receipt(
    client, external, administrator, own_fee, django_capture_on_commit_callbacks
):
    client.force_login(external)
    page = client.get(reverse("billing:my_fees")).content.decode()
    assert "À payer" in page and "45,00 €" in page
    payment = _paid(own_fee, administrator, django_capture_on_commit_callbacks)
    page = client.get(reverse("billing:my_fees")).content.decode()
    assert "Reçu n° 2025-2026-00001 (PDF)" in page
    response = client.get(reverse("billing:receipt", args=[payment.receipt.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_receipts_of_others_are_404(
    client, student, external, administrator, own_fee, django_capture_on_commit_callbacks
):
    payment = _paid(own_fee, administrator, django_capture_on_commit_callbacks)
    url = reverse("billing:receipt", args=[payment.receipt.pk])
    client.force_login(student)  # another candidate
    assert client.get(url).status_code == 404
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    client.logout()
    response = client.get(url)
    assert response.status_code == 302  # signed out: to the login page, then the receipt
    assert response["Location"].startswith("/comptes/login/")


def test_a_student_owes_nothing(client, student):
    client.force_login(student)
    response = client.get(reverse("billing:my_fees"))
    assert response.status_code == 200
    assert "Vous n’avez aucun frais à régler." in response.content.decode()


@pytest.mark.parametrize("persona", ["student", "external", "invigilator", "referent"])
def test_fee_pages_are_for_administrators(client, request, persona, own_fee):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("billing:fees")).status_code == 403
    url = reverse("billing:fee_action", args=[own_fee.pk, "paiement"])
    assert client.post(url, {"paid_on": "2025-10-02", "method": "cash"}).status_code == 403
    assert Fee.objects.get(pk=own_fee.pk).status == FeeStatus.DUE


def test_administrator_sees_who_has_not_paid_and_records_a_payment(client, administrator, own_fee):
    client.force_login(administrator)
    page = client.get(reverse("billing:fees")).content.decode()
    assert 'data-testid="unpaid-soon"' in page and "DURAND" in page
    url = reverse("billing:fee_action", args=[own_fee.pk, "paiement"])
    confirm = client.get(url)
    assert "Confirmer" in confirm.content.decode()
    data = {"paid_on": "2025-10-02", "method": "cheque", "reference": "0001234"}
    step = client.post(url, data)  # a receipt number cannot be taken back: confirm first
    assert "Un reçu numéroté est émis" in step.content.decode()
    assert "Moyen de paiement : Chèque" in step.content.decode()
    assert Fee.objects.get(pk=own_fee.pk).status == FeeStatus.DUE
    response = client.post(url, {**data, "confirmed": "1"}, follow=True)
    assert "Paiement enregistré : reçu n° 2025-2026-00001." in response.content.decode()
    assert Fee.objects.get(pk=own_fee.pk).status == FeeStatus.PAID
    again = client.post(url, {"paid_on": "2025-10-02", "method": "cheque", "confirmed": "1"})
    assert "déjà payés" in again.content.decode()
    assert Receipt.objects.count() == 1
    assert 'data-testid="unpaid-soon-empty"' in client.get(reverse("billing:fees")).content.decode()


def test_fee_list_filters_and_paginates(client, administrator, year, room):
    session = make_session(year, room, capacity=40)
    other = make_session(year, room, hour=14)
    for _ in range(30):
        make_registration(session, make_external())
    make_registration(other, make_external())
    client.force_login(administrator)
    first = client.get(reverse("billing:fees"))
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.count == 31
    only_other = client.get(reverse("billing:fees"), {"session": other.pk, "status": "due"})
    assert only_other.context["page"].paginator.count == 1
    second = client.get(reverse("billing:fees"), {"status": "due", "page": 2})
    assert len(second.context["page"].object_list) == 6
    assert "status=due&amp;page=1" in second.content.decode()


def test_refund_and_waiver_pages(client, administrator, year, room):
    session = make_session(year, room, date=dt.date(2031, 10, 15))
    paid = make_registration(session, make_external())
    services.record_payment(paid.fee, acting_user=administrator, paid_on=PAID_ON, method="cash")
    due = make_registration(session, make_external())
    client.force_login(administrator)
    refund_url = reverse("billing:fee_action", args=[paid.fee.pk, "remboursement"])
    refund = {"refunded_on": "2025-10-05", "reason": "session_cancelled", "confirmed": "1"}
    refused = client.post(refund_url, refund)
    assert "pas été annulée" in refused.content.decode()
    sessions_services.change_session_status(session, "cancelled", acting_user=administrator)
    step = client.post(refund_url, {**refund, "confirmed": ""})
    assert "Le remboursement est définitif" in step.content.decode()
    assert Fee.objects.get(pk=paid.fee.pk).status == FeeStatus.PAID
    client.post(refund_url, refund)
    assert Fee.objects.get(pk=paid.fee.pk).status == FeeStatus.REFUNDED
    # the due fee of the cancelled session is no longer due
    assert Fee.objects.get(pk=due.fee.pk).status == FeeStatus.CANCELLED
    other = make_registration(make_session(year, room, hour=16), make_external())
    waive_url = reverse("billing:fee_action", args=[other.fee.pk, "exoneration"])
    client.post(waive_url, {"reason": "Demandeur d’emploi", "confirmed": "1"})
    assert Fee.objects.get(pk=other.fee.pk).status == FeeStatus.WAIVED
    assert client.get(reverse("billing:fee_action", args=[other.fee.pk, "x"])).status_code == 404


# --- GIP statement ----------------------------------------------------------------------------


@pytest.fixture
def statement_data(year, room, administrator):
    october = make_session(year, room, date=dt.date(2025, 10, 15), audience="mixed")
    november = make_session(year, room, date=dt.date(2025, 11, 15), audience="external")
    staff = make_session(year, room, date=dt.date(2025, 10, 16), audience="staff")
    make_registration(staff, make_candidate(CandidateKind.STAFF))
    make_registration(october, make_candidate(CandidateKind.STUDENT))
    hostile = make_external()
    hostile.birth_name = '=HYPERLINK("http://evil")'
    hostile.first_name = "@SUM(A1)"
    hostile.save()
    fees = [
        make_registration(october, hostile).fee,
        make_registration(october, make_external()).fee,
        make_registration(november, make_external()).fee,
        make_registration(october, make_external()).fee,  # waived: not paying
    ]
    for fee in fees[:3]:
        services.record_payment(fee, acting_user=administrator, paid_on=PAID_ON, method="card")
    services.waive_fee(fees[3], acting_user=administrator, reason="Partenaire")
    return fees


def test_gip_statement_counts_paying_candidates_of_the_period(statement_data):
    statement = reports.gip_statement(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    assert statement.count == 2
    assert statement.total_owed == Decimal("20.00")
    assert statement.total_paid == Decimal("90.00")
    whole = reports.gip_statement(dt.date(2025, 9, 1), dt.date(2025, 12, 31))
    assert (whole.count, whole.total_owed) == (3, Decimal("30.00"))


def test_gip_statement_csv_is_safe_against_formulas(client, administrator, statement_data):
    client.force_login(administrator)
    response = client.get(
        reverse("billing:gip_statement"),
        {"start": "2025-10-01", "end": "2025-10-31", "format": "csv"},
    )
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Date de session;Nom de naissance")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert not any(cell.startswith(("=", "+", "@")) for line in lines for cell in line.split(";"))
    assert lines[-1].endswith(";90,00;20,00")


def test_csv_cells():
    assert reports.safe_text("=1+1") == "'=1+1"
    assert reports.safe_text("-2") == "'-2"
    assert reports.safe_text("+33 4") == "'+33 4"
    assert reports.safe_text("Durand") == "Durand"
    assert reports.cell(Decimal("-12.50")) == "-12,50"  # our numbers stay numbers


def test_gip_statement_pdf_and_page(client, referent, statement_data):
    from pypdf import PdfReader

    client.force_login(referent)
    params = {"start": "2025-10-01", "end": "2025-10-31"}
    page = client.get(reverse("billing:gip_statement"), params)
    assert page.status_code == 200
    assert "20,00 €" in page.content.decode()
    pdf = client.get(reverse("billing:gip_statement"), {**params, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Relevé pour le GIP Pix du 01/10/2025 au 31/10/2025" in text
    assert "2 candidats payants" in text


@pytest.mark.parametrize("persona", ["student", "external", "invigilator"])
def test_gip_statement_refused_to_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("billing:gip_statement")).status_code == 403


def test_back_office_shows_fees_read_only(client, administrator, own_fee):
    from tests.conftest import make_user

    services.record_payment(own_fee, acting_user=administrator, paid_on=PAID_ON, method="cash")
    superuser = make_user("root@univ-avignon.fr", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    for model in ("fee", "payment", "receipt", "refund"):
        assert client.get(reverse(f"admin:billing_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:billing_fee_add")).status_code == 403
