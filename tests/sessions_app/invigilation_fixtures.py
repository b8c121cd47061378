"""Helpers of the invigilation tests: confirmed seats, invigilators and their availability."""

import datetime as dt
import itertools

from accounts.models import Role
from sessions_app.models import (
    PARIS,
    InvigilatorPeriod,
    PeriodKind,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from tests.conftest import make_user

from .conftest import NOW, make_candidate

_serial = itertools.count(1)


def confirm(session, n=1, *, extra_time=None, **candidate_kw):
    """``n`` confirmed seats in ``session``; the first one gets ``extra_time`` percent."""
    registrations = []
    for i in range(n):
        candidate = make_candidate(**candidate_kw)
        if extra_time and i == 0:
            candidate.extra_time_percent = extra_time
            candidate.save(update_fields=["extra_time_percent"])
        registrations.append(
            Registration.objects.create(
                candidate=candidate,
                session=session,
                academic_year=session.academic_year,
                status=RegistrationStatus.CONFIRMED,
                source=RegistrationSource.OVERRIDE,
                created_at=NOW,
                confirmed_at=NOW,
            )
        )
    return registrations


def make_invigilator(last_name=None):
    n = next(_serial)
    return make_user(
        f"surveillant{n}@univ-avignon.fr",
        Role.INVIGILATOR,
        first_name=f"Prénom{n}",
        last_name=last_name or f"Surveillant{n}",
    )


def available(user, start=dt.date(2025, 9, 1), end=dt.date(2026, 8, 31)):
    return InvigilatorPeriod.objects.create(
        invigilator=user,
        kind=PeriodKind.AVAILABLE,
        starts_at=dt.datetime.combine(start, dt.time(0, 0), tzinfo=PARIS),
        ends_at=dt.datetime.combine(end, dt.time(23, 59), tzinfo=PARIS),
    )


def unavailable(user, day, start_hour=8, end_hour=18):
    return InvigilatorPeriod.objects.create(
        invigilator=user,
        kind=PeriodKind.UNAVAILABLE,
        starts_at=dt.datetime.combine(day, dt.time(start_hour), tzinfo=PARIS),
        ends_at=dt.datetime.combine(day, dt.time(end_hour), tzinfo=PARIS),
    )
