"""The demo part of convocations and results: small, and idempotent."""

import datetime as dt
import random
from io import StringIO

import pytest
from django.core import mail
from django.utils import timezone

from candidates.models import AcademicYear
from sessions_app.demo import convocations as convocations_demo
from sessions_app.models import (
    CertificationResult,
    Convocation,
    ConvocationStatus,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Session,
    SessionStatus,
    StatisticsSnapshot,
)

from .conftest import NOW, make_candidate

pytestmark = pytest.mark.django_db


def test_demo_convenes_one_coming_session_and_gives_results_to_one_held_session(room):
    today = timezone.localdate()
    year = AcademicYear.objects.create(
        label="demo",
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=200),
    )
    sessions = {}
    for key, delta, status in (("past", -5, SessionStatus.HELD), ("next", 10, SessionStatus.OPEN)):
        sessions[key] = Session.objects.create(
            academic_year=year, date=today + dt.timedelta(days=delta), start_time=dt.time(9),
            room=room, status=status,
        )  # fmt: skip
        for _ in range(2):
            Registration.objects.create(
                candidate=make_candidate(), session=sessions[key], academic_year=year,
                status=RegistrationStatus.CONFIRMED, source=RegistrationSource.ALLOCATION,
                created_at=NOW,
            )  # fmt: skip

    for _ in range(2):
        convocations_demo.seed(rng=random.Random(1), stdout=StringIO())

    convened = Convocation.objects.all()
    # The two candidates of the coming session, and Camille Petit, imported without an address.
    assert convened.count() == 3
    assert {c.registration.session_id for c in convened} == {sessions["next"].pk}
    assert all(c.file for c in convened)
    unreachable = convened.get(registration__candidate__external_id="21990042")
    assert unreachable.status == ConvocationStatus.NO_ADDRESS
    assert unreachable.registration.candidate.user is None
    assert {c.status for c in convened.exclude(pk=unreachable.pk)} == {ConvocationStatus.SENT}
    assert CertificationResult.objects.filter(registration__session=sessions["past"]).count() == 2
    assert StatisticsSnapshot.objects.filter(academic_year=year).count() == 1
    assert mail.outbox == []
