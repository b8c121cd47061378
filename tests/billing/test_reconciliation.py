"""Reconciliation with Pix (billing/reconciliation.py): enrolled, exported, present, result and
fee side by side, one test per kind of mismatch, the pages, the CSV and the query count."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import reconciliation
from billing.models import Fee, FeeStatus, Payment, PaymentMethod
from billing.reconciliation import Kind
from candidates.models import CandidateKind
from sessions_app.models import (
    Attendance,
    CertificationResult,
    ExportedCandidate,
    Registration,
)
from tests.sessions_app.conftest import make_candidate

from .conftest import make_registration, make_session

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 10_000))


def exported(registration, pricing=None, prepaid_code=None, complementary=""):
    return ExportedCandidate.objects.create(
        registration=registration,
        exported_at=timezone.now(),
        file_format="csv",
        pricing=pricing or registration.pricing,
        prepaid_code=registration.prepaid_code if prepaid_code is None else prepaid_code,
        complementary=complementary,
    )


def roll_call(registration, status="present"):
    return Attendance.objects.create(
        registration=registration, status=status, marked_at=timezone.now()
    )


def result(registration, status="Validée", complementary=None):
    return CertificationResult.objects.create(
        registration=registration,
        certification_number=f"C{next(_numbers):07d}",
        status=status,
        complementary=complementary or {},
        imported_at=timezone.now(),
    )


def pay(registration, method=PaymentMethod.CARD, reference=""):
    fee = Fee.objects.get(registration=registration)
    Payment.objects.create(
        fee=fee,
        amount=fee.amount,
        paid_on=dt.date(2025, 10, 1),
        method=method,
        reference=reference,
        recorded_at=timezone.now(),
    )
    fee.status = FeeStatus.PAID
    fee.save(update_fields=["status"])
    return fee


@pytest.fixture
def session(year, room):
    return make_session(year, room, audience="mixed")


def kinds(session):
    rec = reconciliation.for_session(session)
    return {(line.candidate.birth_name, m.kind) for line, m in rec.mismatches}


def student_seat(session, name="ETUDIANT"):
    c = make_candidate(CandidateKind.STUDENT)
    c.birth_name = name
    c.save()
    return make_registration(session, c, source="override")


def external_seat(session, name="EXTERNE"):
    c = make_candidate(CandidateKind.EXTERNAL)
    c.birth_name = name
    c.save()
    return make_registration(session, c)  # the signal makes its fee due


def test_a_candidate_all_in_order_has_no_mismatch(session):
    r = external_seat(session)
    exported(r)
    roll_call(r)
    result(r)
    pay(r)
    rec = reconciliation.for_session(session)
    (line,) = rec.lines
    assert line.exported.pricing == "Payante" and line.present and line.result and line.fee
    assert rec.mismatches == []
    assert rec.totals == {
        "enrolled": 1, "exported": 1, "present": 1, "results": 1, "paid": 1, "mismatches": 0,
    }  # fmt: skip


def test_present_without_result(session):
    r = student_seat(session)
    exported(r)
    roll_call(r)
    assert kinds(session) == {("ETUDIANT", Kind.PRESENT_WITHOUT_RESULT)}


def test_result_for_someone_absent_at_roll_call(session):
    r = student_seat(session)
    exported(r)
    roll_call(r, "absent")
    result(r)
    assert kinds(session) == {("ETUDIANT", Kind.RESULT_ABSENT)}


def test_result_for_a_no_show(session):
    r = student_seat(session)
    exported(r)
    Registration.objects.filter(pk=r.pk).update(status="no_show")
    result(r)
    assert kinds(session) == {("ETUDIANT", Kind.RESULT_ABSENT)}


def test_result_for_someone_not_enrolled_any_more(session):
    r = student_seat(session)
    exported(r)
    result(r)
    Registration.objects.filter(pk=r.pk).update(status="cancelled")
    assert kinds(session) == {("ETUDIANT", Kind.RESULT_NOT_ENROLLED)}


def test_result_for_someone_never_exported(session):
    r = student_seat(session)
    roll_call(r)
    result(r)
    assert kinds(session) == {("ETUDIANT", Kind.RESULT_NOT_ENROLLED)}


def test_paying_without_a_paid_fee(session):
    r = external_seat(session)
    exported(r)
    assert Fee.objects.get(registration=r).status == FeeStatus.DUE
    assert kinds(session) == {("EXTERNE", Kind.PAYING_WITHOUT_PAID_FEE)}


def test_an_external_billed_free(session):
    r = external_seat(session)
    exported(r, pricing="Gratuite")
    pay(r)
    assert kinds(session) == {("EXTERNE", Kind.EXTERNAL_BILLED_FREE)}


def test_a_pix_plus_result_without_the_choice(session):
    r = student_seat(session)
    exported(r)
    roll_call(r)
    result(r, complementary={"Pix+ Droit": "Validée", "CléA Numérique": "Non passée"})
    assert kinds(session) == {("ETUDIANT", Kind.PIX_PLUS_WITHOUT_CHOICE)}


def test_a_pix_plus_result_of_the_chosen_certification_is_fine(session):
    r = student_seat(session)
    Registration.objects.filter(pk=r.pk).update(complementary="droit")
    exported(r, complementary="Pix+ Droit")
    roll_call(r)
    result(r, complementary={"Pix+ Droit": "Validée"})
    assert kinds(session) == set()


def test_a_prepaid_code_missing_for_a_fee_paid_by_purchase_order(session):
    r = external_seat(session)
    exported(r)  # « Payante », no code
    roll_call(r)
    result(r)
    pay(r, PaymentMethod.PURCHASE_ORDER, reference="BC-2025-118")
    assert kinds(session) == {("EXTERNE", Kind.PREPAID_CODE_MISSING)}


def test_a_prepaid_export_without_its_code(session):
    r = student_seat(session)
    exported(r, pricing="Prépayée", prepaid_code="")
    assert kinds(session) == {("ETUDIANT", Kind.PREPAID_CODE_MISSING)}


def test_the_newest_export_is_what_pix_has(session):
    r = external_seat(session)
    first = exported(r, pricing="Gratuite")
    ExportedCandidate.objects.filter(pk=first.pk).update(
        exported_at=timezone.now() - dt.timedelta(days=2)
    )
    exported(r, pricing="Payante")
    pay(r)
    assert kinds(session) == set()


def test_a_waitlisted_candidate_pix_never_heard_of_is_not_a_line(session):
    student_seat(session)
    c = make_candidate()
    make_registration(session, c, status="waitlisted", source="first_come")
    assert len(reconciliation.for_session(session).lines) == 1


def test_the_year_counts_every_mismatch_by_kind(year, room, session):
    other = make_session(year, room, hour=14, audience="mixed")
    exported(external_seat(session))  # paying, fee due
    r = student_seat(other)
    exported(r)
    roll_call(r)  # present, no result
    counts = reconciliation.for_year(year).counts()
    assert counts[Kind.PAYING_WITHOUT_PAID_FEE] == 1
    assert counts[Kind.PRESENT_WITHOUT_RESULT] == 1
    assert sum(counts.values()) == 2


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["administrator", "referent"])
def test_session_page_lists_each_line_and_its_mismatches(client, request, persona, session):
    r = external_seat(session)
    exported(r)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("billing:reconciliation_session", args=[session.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "EXTERNE" in html and 'data-kind="paying_without_paid_fee"' in html


@pytest.mark.parametrize("persona", ["student", "invigilator", "external"])
def test_other_roles_are_refused(client, request, persona, session, year):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("billing:reconciliation_year", args=[year.label])).status_code == 403
    url = reverse("billing:reconciliation_session", args=[session.pk])
    assert client.get(url).status_code == 403


def test_year_page_shows_the_mismatches_and_the_sessions(client, referent, year, session):
    r = student_seat(session)
    exported(r)
    roll_call(r)
    client.force_login(referent)
    response = client.get(reverse("billing:reconciliation_year", args=[year.label]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="present_without_result"' in html
    assert reverse("billing:reconciliation_session", args=[session.pk]) in html


def test_the_year_pages_keep_the_chosen_year(client, referent, year, room, monkeypatch):
    """Both lists are paged (sessions by ``page``, mismatches by ``ecarts``): a link to another
    page keeps the year asked with ``?annee=`` and the other list's page."""
    from billing.views import reconciliation as views

    monkeypatch.setattr(views, "RECONCILIATION_SESSIONS_PER_PAGE", 1)
    monkeypatch.setattr(views, "RECONCILIATION_MISMATCHES_PER_PAGE", 1)
    for hour in (9, 14):
        s = make_session(year, room, hour=hour, audience="mixed")
        for name in ("A", "B"):
            r = student_seat(s, name=f"ET{hour}{name}")
            exported(r)
            roll_call(r)  # present, no result: one mismatch each
    client.force_login(referent)
    response = client.get(reverse("billing:reconciliation"), {"annee": year.label, "page": 2})
    assert response.context["year"] == year
    html = response.content.decode()
    assert f"?annee={year.label}&amp;page=2&amp;ecarts=2" in html
    assert f"?annee={year.label}&amp;page=1" in html
    second = client.get(reverse("billing:reconciliation"), {"annee": year.label, "ecarts": 3})
    assert second.context["mismatches_page"].number == 3
    assert f"?annee={year.label}&amp;ecarts=3&amp;page=2" in second.content.decode()


def test_a_line_shows_what_the_records_say(client, administrator, year, session):
    """The lines are read as plain values: each column still says what the models say."""
    r = external_seat(session, name="EXTLIGNE")
    Registration.objects.filter(pk=r.pk).update(complementary="droit")
    e = exported(r, pricing="Payante", prepaid_code="BC-7")
    roll_call(r, "absent")
    result(r, complementary={"Pix+ Droit": "Validée"})
    fee = pay(r, PaymentMethod.PURCHASE_ORDER, reference="BC 42")
    rec = reconciliation.for_session(session)
    (line,) = rec.lines
    r.refresh_from_db()
    assert line.registration.pk == r.pk
    assert line.registration.get_status_display() == r.get_status_display()
    assert line.candidate.get_kind_display() == r.candidate.get_kind_display()
    assert (line.candidate.birth_name, line.candidate.external_id) == (
        r.candidate.birth_name,
        r.candidate.external_id,
    )
    assert line.chosen_complementary == r.get_complementary_display()
    assert (line.exported.pricing, line.exported.prepaid_code) == ("Payante", "BC-7")
    assert line.exported.exported_at == e.exported_at
    assert line.present is False and line.attendance.status == "absent"
    assert line.result.status == "Validée" and line.result.complementary == {
        "Pix+ Droit": "Validée"
    }
    assert line.fee.get_status_display() == fee.get_status_display()
    assert line.payment.get_method_display() == fee.payment.get_method_display()
    assert line.payment.reference == "BC 42"
    assert str(line.session) == str(session) and line.session.pk == session.pk
    assert {m.kind for m in line.mismatches} == {Kind.RESULT_ABSENT, Kind.PREPAID_CODE_MISSING}


def test_csv_export_is_guarded_against_formula_injection(client, administrator, year, session):
    r = student_seat(session, name="=HYPERLINK(1)")
    exported(r)
    roll_call(r)
    client.force_login(administrator)
    response = client.get(
        reverse("billing:reconciliation_year", args=[year.label]), {"format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, line = rows
    assert header[0] == "Date" and header[-1] == "Écarts"
    assert line[3] == "'=HYPERLINK(1)"
    assert "Présent sans résultat" in line[-1]


def _fill(session, n):
    for i in range(n):
        r = external_seat(session, name=f"EXT{i}") if i % 2 else student_seat(session, f"ET{i}")
        exported(r)
        roll_call(r, "present" if i % 3 else "absent")
        if i % 4:
            result(r, complementary={"Pix+ Droit": "Validée"} if i % 5 == 0 else None)
        if i % 2 and i % 3:
            pay(r, PaymentMethod.PURCHASE_ORDER if i % 7 == 0 else PaymentMethod.CARD)


# The pages' queries, whatever the number of candidates:
# 1. the session (django_session)   2. the signed-in user
# 3. (session page) the session with room and year / (year page) the academic years
# 4. the registrations with candidate, session, room, roll call, result, fee and payment
# 5. the export lines of those registrations
RECONCILIATION_QUERIES = 5


@pytest.mark.parametrize("candidates", [2, 20])
def test_session_page_query_count_does_not_grow(
    client, administrator, django_assert_num_queries, session, candidates
):
    _fill(session, candidates)
    client.force_login(administrator)
    with django_assert_num_queries(RECONCILIATION_QUERIES):
        response = client.get(reverse("billing:reconciliation_session", args=[session.pk]))
    assert response.status_code == 200
    assert len(response.context["rec"].lines) == candidates


@pytest.mark.parametrize("candidates", [2, 20])
def test_year_page_query_count_does_not_grow(
    client, referent, django_assert_num_queries, year, room, session, candidates
):
    _fill(session, candidates)
    _fill(make_session(year, room, hour=14, audience="mixed"), candidates)
    client.force_login(referent)
    with django_assert_num_queries(RECONCILIATION_QUERIES):
        response = client.get(reverse("billing:reconciliation_year", args=[year.label]))
    assert response.status_code == 200
    assert len(response.context["rec"].lines) == 2 * candidates


def test_the_referents_yearly_report_counts_the_mismatches(client, referent, year, session):
    from pypdf import PdfReader

    exported(external_seat(session))  # « Payante », fee due
    r = student_seat(session)
    exported(r)
    roll_call(r)  # present, no result
    client.force_login(referent)
    kwargs = {"label": year.label}
    text = client.get(reverse("billing:year_report", kwargs={**kwargs, "fmt": "csv"}))
    text = text.content.decode("utf-8-sig")
    assert "Rapprochement avec Pix : écarts;2" in text
    assert "« Payante » sans frais payés;1" in text
    assert "Présent sans résultat;1" in text
    pdf = client.get(reverse("billing:year_report", kwargs={**kwargs, "fmt": "pdf"})).content
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Rapprochement avec Pix" in pdf_text
