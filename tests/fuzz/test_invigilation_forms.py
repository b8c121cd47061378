"""Invigilation forms fed random values: availability, roll call, incident (with the fraud
report upload) and assignment. Never a 500; refused input is explained and writes nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from sessions_app.models import (
    AbandonReason,
    Assignment,
    Attendance,
    Incident,
    IncidentCode,
    InvigilatorPeriod,
    PeriodKind,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Session,
    SessionStatus,
)

from .conftest import (
    FUZZ,
    assert_accepted_or_explained,
    assert_error_shown,
    assert_redirect_with_message,
    client_for,
    page,
    rolled_back,
)
from .strategies import FORM_DATETIME, FORM_NUMBER, FORM_TEXT, choices, ids, maybe, post_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def day_session(year, room, invigilator, student):
    """A session held today, the invigilator assigned, the student seated."""
    from tests.sessions_app.conftest import complete_identity

    session = Session.objects.create(
        academic_year=year,
        date=timezone.localdate(),
        start_time=dt.time(9, 0),
        room=room,
        capacity=20,
        status=SessionStatus.OPEN,
    )
    Assignment.objects.create(session=session, invigilator=invigilator, minutes=120)
    Registration.objects.create(
        candidate=complete_identity(student.candidate),
        session=session,
        academic_year=year,
        status=RegistrationStatus.CONFIRMED,
        source=RegistrationSource.OVERRIDE,
        created_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    return session


def seat_of(session):
    return Registration.objects.get(session=session)


@FUZZ
@given(
    kind=maybe(choices(PeriodKind.values)),
    starts_at=maybe(FORM_DATETIME),
    ends_at=maybe(FORM_DATETIME),
    note=maybe(FORM_TEXT),
)
@example(kind="available", starts_at="0001-01-01T00:00", ends_at="0001-01-02T00:00", note="")
@example(kind="available", starts_at="9999-12-31T00:00", ends_at="9999-12-31T23:59", note="")
def test_availability_form(invigilator, kind, starts_at, ends_at, note):
    with rolled_back():
        before = InvigilatorPeriod.objects.count()
        response = client_for(invigilator).post(
            reverse("invigilation:availability"),
            post_data(kind=kind, starts_at=starts_at, ends_at=ends_at, note=note),
        )
        if not assert_accepted_or_explained(response):
            assert InvigilatorPeriod.objects.count() == before
        else:
            assert InvigilatorPeriod.objects.count() == before + 1
            # The new period shows on the page without error.
            assert (
                client_for(invigilator).get(reverse("invigilation:availability")).status_code == 200
            )


@FUZZ
@given(
    present=maybe(choices(["present", "absent"])),
    identity_checked=maybe(st.sampled_from(["on", "", "0", "x"])),
)
def test_roll_call_button(invigilator, day_session, present, identity_checked):
    seat = seat_of(day_session)
    with rolled_back():
        before = Attendance.objects.count()
        response = client_for(invigilator).post(
            reverse("invigilation:mark", args=[day_session.pk, seat.pk]),
            post_data(present=present, identity_checked=identity_checked),
        )
        messages = assert_redirect_with_message(response)
        if not any(level == "success" for level, _text in messages):
            assert Attendance.objects.count() == before


def incident_fields(data, session):
    seat = seat_of(session)
    fields = post_data(
        registration=data.draw(maybe(ids(seat.pk)), label="registration"),
        code=data.draw(maybe(choices(IncidentCode.values)), label="code"),
        question_number=data.draw(maybe(FORM_NUMBER), label="question_number"),
        abandon_reason=data.draw(maybe(choices(AbandonReason.values)), label="abandon_reason"),
        description=data.draw(maybe(FORM_TEXT), label="description"),
    )
    return fields


def check_incident(user, session, fields):
    with rolled_back():
        before = Incident.objects.count()
        response = client_for(user).post(
            reverse("invigilation:incident", args=[session.pk]), fields
        )
        if not assert_accepted_or_explained(response):
            assert Incident.objects.count() == before
        else:
            assert Incident.objects.count() == before + 1
        return response


@FUZZ
@given(data=st.data())
def test_incident_form(invigilator, day_session, data):
    check_incident(invigilator, day_session, incident_fields(data, day_session))


@FUZZ
@given(question_number=FORM_NUMBER, code=st.sampled_from(["E1", "E5", "E12"]))
@example(question_number="99999", code="E1")  # was a 500 on PostgreSQL: smallint out of range
@example(question_number="9" * 20, code="E1")  # was a 500 on SQLite: int too large
def test_incident_question_number(invigilator, day_session, question_number, code):
    check_incident(
        invigilator,
        day_session,
        {"registration": seat_of(day_session).pk, "code": code, "question_number": question_number},
    )


FRAUD_FILES = st.one_of(
    st.tuples(st.sampled_from(["rapport.pdf", "scan.png", "photo.jpg"]), st.just(PDF)),
    st.tuples(st.sampled_from(["scan.png"]), st.just(PNG)),
    st.tuples(
        st.sampled_from(["rapport.pdf", "rapport.exe", "rapport.html", "rapport", "r.svg"]),
        st.binary(max_size=300),
    ),
    st.tuples(st.just("script.html"), st.just(b"<script>alert(1)</script>")),
)


@FUZZ
@given(upload=FRAUD_FILES, code=st.sampled_from(["C6", "C6", "C1", ""]))
def test_fraud_report_upload(invigilator, day_session, upload, code):
    name, content = upload
    fields = {
        "registration": seat_of(day_session).pk,
        "code": code,
        "description": "Téléphone",
        "fraud_report": SimpleUploadedFile(name, content),
    }
    response = check_incident(invigilator, day_session, fields)
    if response.status_code == 302:
        # Only a PDF or an image is kept as the report.
        assert content.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff"))
        assert name.lower().endswith((".pdf", ".png", ".jpg", ".jpeg"))


def test_fraud_report_over_10_mb_is_refused_with_a_message(invigilator, day_session):
    big = PDF + b"0" * (10 * 1024 * 1024)
    fields = {
        "registration": seat_of(day_session).pk,
        "code": "C6",
        "fraud_report": SimpleUploadedFile("rapport.pdf", big),
    }
    response = client_for(invigilator).post(
        reverse("invigilation:incident", args=[day_session.pk]), fields
    )
    assert_error_shown(response)
    assert "10 Mo" in page(response)
    assert Incident.objects.count() == 0


def test_fraud_report_that_is_not_a_pdf_or_an_image_is_refused(invigilator, day_session):
    fields = {
        "registration": seat_of(day_session).pk,
        "code": "C6",
        "fraud_report": SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 not a pdf"),
    }
    response = client_for(invigilator).post(
        reverse("invigilation:incident", args=[day_session.pk]), fields
    )
    assert_error_shown(response)
    assert "PDF" in page(response)
    assert Incident.objects.count() == 0


@FUZZ
@given(data=st.data())
def test_assign_form(administrator, day_session, data):
    from tests.sessions_app.invigilation_fixtures import make_invigilator

    other = make_invigilator()
    value = data.draw(maybe(ids(other.pk, administrator.pk)), label="invigilator")
    with rolled_back():
        before = Assignment.objects.count()
        response = client_for(administrator).post(
            reverse("invigilation:assign", args=[day_session.pk]), post_data(invigilator=value)
        )
        if not assert_accepted_or_explained(response):
            assert Assignment.objects.count() == before
