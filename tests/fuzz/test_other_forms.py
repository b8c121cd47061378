"""The remaining forms, fed random values: the candidate's identity, the referent's cost
parameters and projection, the administrators' fee actions, and the filters read from the
query string (candidate list, fees, GIP statement, calendar, statistics)."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from billing.models import CostParameterChange, CostParameterSet, Fee, FeeStatus, Payment
from candidates.forms import IdentityForm
from candidates.models import Candidate, Sex, StudyYear

from .conftest import (
    FUZZ,
    assert_accepted_or_explained,
    assert_no_crash,
    client_for,
    rolled_back,
)
from .strategies import FORM_DATE, FORM_NUMBER, FORM_TEXT, choices, maybe, post_data

pytestmark = pytest.mark.django_db

IDENTITY = IdentityForm.Meta.fields  # what the identity form writes


def identity_of(candidate):
    return [getattr(candidate, name) for name in IDENTITY]


@FUZZ
@given(data=st.data())
@example(data=None)  # a POST without any field
def test_identity_form(student, data):
    fields = {}
    if data is not None:
        fields = post_data(
            birth_name=data.draw(maybe(FORM_TEXT), label="birth_name"),
            first_name=data.draw(maybe(FORM_TEXT), label="first_name"),
            sex=data.draw(maybe(choices(Sex.values)), label="sex"),
            birth_date=data.draw(maybe(FORM_DATE), label="birth_date"),
            birth_country=data.draw(maybe(st.sampled_from(["France", "Maroc"]) | FORM_TEXT)),
            birth_insee_code=data.draw(maybe(st.sampled_from(["84007", "99"]) | FORM_TEXT)),
            birth_postal_code=data.draw(maybe(st.sampled_from(["84000"]) | FORM_TEXT)),
            birth_city=data.draw(maybe(FORM_TEXT), label="birth_city"),
            convocation_email=data.draw(maybe(st.emails() | FORM_TEXT), label="convocation_email"),
            accessibility_needs=data.draw(maybe(FORM_TEXT), label="accessibility_needs"),
        )
    with rolled_back():
        before = identity_of(Candidate.objects.get(user=student))
        response = client_for(student).post(reverse("candidates:identity"), fields)
        if not assert_accepted_or_explained(response):
            assert identity_of(Candidate.objects.get(user=student)) == before


@FUZZ
@given(data=st.data())
def test_identity_form_of_a_newcomer_creates_nothing_when_refused(outsider, data):
    fields = post_data(
        birth_name=data.draw(maybe(FORM_TEXT)),
        first_name=data.draw(maybe(FORM_TEXT)),
        sex=data.draw(maybe(choices(Sex.values))),
        birth_date=data.draw(maybe(FORM_DATE)),
        birth_country=data.draw(maybe(FORM_TEXT)),
    )
    with rolled_back():
        response = client_for(outsider).post(reverse("candidates:identity"), fields)
        if not assert_accepted_or_explained(response):
            assert not Candidate.objects.filter(user=outsider).exists()


# --- referent: cost parameters and projection ---------------------------------------------------


@pytest.fixture
def parameter_set(year):
    from billing import services

    return services.cost_parameters_for(year)


@FUZZ
@given(data=st.data())
def test_cost_parameters_form(referent, year, parameter_set, data):
    fields = {
        name: data.draw(maybe(FORM_NUMBER), label=name)
        for name in CostParameterSet.PARAMETER_FIELDS
    }
    fields["note"] = data.draw(maybe(FORM_TEXT), label="note")
    with rolled_back():
        before = CostParameterChange.objects.count()
        response = client_for(referent).post(
            reverse("billing:year_parameters", args=[year.label]), post_data(**fields)
        )
        if not assert_accepted_or_explained(response):
            assert CostParameterChange.objects.count() == before
        # Whatever was saved, the dashboard and the projection still show.
        client = client_for(referent)
        assert_no_crash(client.get(reverse("billing:dashboard")))
        assert_no_crash(client.get(reverse("billing:projection"), {"year": year.label}))


@FUZZ
@given(
    sessions=maybe(FORM_NUMBER),
    candidates=maybe(FORM_NUMBER),
    extension=maybe(st.sampled_from(["on", "", "x"])),
    paying_sessions=maybe(FORM_NUMBER),
    year=maybe(FORM_TEXT),
)
def test_projection_form(referent, sessions, candidates, extension, paying_sessions, year):
    params = post_data(
        sessions=sessions,
        candidates=candidates,
        extension=extension,
        paying_sessions=paying_sessions,
        year=year,
    )
    response = client_for(referent).get(reverse("billing:projection"), params)
    assert_no_crash(response)
    assert response.status_code == 200


# --- administrators: fees ---------------------------------------------------------------------


@pytest.fixture
def fee(year, room, external):
    from tests.billing.conftest import make_registration, make_session

    session = make_session(year, room, date=dt.date(2031, 10, 15))
    return make_registration(session, Candidate.objects.get(user=external)).fee


@FUZZ
@given(
    action=st.sampled_from(["paiement", "remboursement", "exoneration"]),
    paid_on=maybe(FORM_DATE),
    method=maybe(choices(["card", "cheque", "transfer", "cash", "purchase_order"])),
    reference=maybe(FORM_TEXT),
    reason=maybe(choices(["session_cancelled", "candidate_cancelled"]) | FORM_TEXT),
)
def test_fee_action_forms(administrator, fee, action, paid_on, method, reference, reason):
    fields = post_data(
        paid_on=paid_on,
        refunded_on=paid_on,
        method=method,
        reference=reference,
        reason=reason,
    )
    with rolled_back():
        before = (Fee.objects.get(pk=fee.pk).status, Payment.objects.count())
        response = client_for(administrator).post(  # past the confirmation step
            reverse("billing:fee_action", args=[fee.pk, action]), {**fields, "confirmed": "1"}
        )
        if not assert_accepted_or_explained(response):
            assert (Fee.objects.get(pk=fee.pk).status, Payment.objects.count()) == before
        else:
            assert Fee.objects.get(pk=fee.pk).status != FeeStatus.DUE


# --- filters read from the query string ---------------------------------------------------------


QUERY = st.one_of(st.none(), FORM_TEXT, FORM_NUMBER, FORM_DATE)


@FUZZ
@given(
    q=QUERY,
    programme=QUERY,
    study_year=maybe(choices(StudyYear.values)),
    tier=maybe(choices(["1", "2", "3", "none"])),
    certifiable=maybe(choices(["yes", "no"])),
    ueo=maybe(choices(["both", "pix1", "pix2", "none"])),
    page_number=QUERY,
)
@example(
    q="\x00", programme="\x00", study_year=None, tier=None, certifiable=None, ueo=None,
    page_number="\x00",
)  # fmt: skip
def test_candidate_list_filters(
    administrator, student, q, programme, study_year, tier, certifiable, ueo, page_number
):
    params = post_data(
        q=q,
        programme=programme,
        study_year=study_year,
        tier=tier,
        certifiable=certifiable,
        ueo=ueo,
        page=page_number,
    )
    client = client_for(administrator)
    for name in ("candidates:list", "candidates:export"):
        response = client.get(reverse(name), params)
        assert_no_crash(response)
        assert response.status_code == 200


@FUZZ
@given(status=maybe(choices(FeeStatus.values)), session=QUERY, page_number=QUERY)
def test_fee_list_filters(administrator, fee, status, session, page_number):
    response = client_for(administrator).get(
        reverse("billing:fees"), post_data(status=status, session=session, page=page_number)
    )
    assert_no_crash(response)
    assert response.status_code == 200


@FUZZ
@given(
    start=FORM_DATE,
    end=maybe(FORM_DATE),
    fmt=maybe(st.sampled_from(["csv", "pdf", "html", ""])),
)
@example(start="0001-01-01", end="0001-01-31", fmt="csv")
@example(start="9999-12-01", end="9999-12-31", fmt=None)
@example(start="\x00", end=None, fmt="\x00")
def test_gip_statement_period(administrator, start, end, fmt):
    response = client_for(administrator).get(
        reverse("billing:gip_statement"), post_data(start=start, end=end, format=fmt)
    )
    assert_no_crash(response)
    assert response.status_code == 200


@FUZZ
@given(month=st.one_of(FORM_TEXT, st.sampled_from(["0001-01", "9999-12", "2026-13", "2026-1"])))
@example(month="0001-01")
@example(month="9999-12")
def test_calendar_month(administrator, month):
    response = client_for(administrator).get(reverse("sessions_app:calendar"), {"month": month})
    assert_no_crash(response)
    assert response.status_code == 200


@FUZZ
@given(
    year=maybe(st.one_of(FORM_TEXT, st.sampled_from(["2025-2026", "1", ""]))),
    status=QUERY,
)
@example(year="\x00", status="\x00")  # PostgreSQL refuses NUL in a string
def test_session_list_and_statistics_filters(administrator, year, status):
    client = client_for(administrator)
    response = client.get(reverse("sessions_app:sessions"), post_data(year=year, status=status))
    assert_no_crash(response)
    assert response.status_code == 200
    for name in ("results:statistics", "results:statistics_csv"):
        response = client.get(reverse(name), post_data(annee=year))
        assert_no_crash(response)
        assert response.status_code == 200
    response = client.post(reverse("results:statistics"), post_data(annee=year))
    assert_no_crash(response)


@FUZZ
@given(session=st.lists(QUERY.filter(bool), max_size=3), fmt=QUERY, invigilators=QUERY)
def test_pix_certif_export_parameters(administrator, session, fmt, invigilators):
    response = client_for(administrator).get(
        reverse("sessions_app:export"),
        {"session": session, **post_data(format=fmt, invigilators=invigilators)},
    )
    assert_no_crash(response)


@FUZZ
@given(label=st.one_of(FORM_TEXT.filter(lambda s: "/" not in s and s), st.just("\x00")))
@example(label="\x00")
def test_year_labels_in_the_address(referent, year, label):
    from urllib.parse import quote

    client = client_for(referent)
    for url in (
        f"/couts/parametres/{quote(label, safe='')}/",
        f"/couts/tableau-de-bord/{quote(label, safe='')}/rapport.csv",
    ):
        response = client.get(url)
        assert_no_crash(response)
        assert response.status_code in (200, 404), (url, response.status_code)
