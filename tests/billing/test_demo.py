import datetime as dt
import random
from io import StringIO

import pytest
from django.utils import timezone

from billing import demo
from billing.models import CostParameterChange, CostParameterSet
from candidates.demo import academic_years
from candidates.models import AcademicYear

pytestmark = pytest.mark.django_db


def seed():
    demo.seed(rng=random.Random(1), stdout=StringIO())


def test_demo_gives_each_year_parameters_and_some_history(referent):
    seed()
    labels = {label for label, _s, _e in academic_years(timezone.localdate())}
    assert labels <= set(AcademicYear.objects.values_list("label", flat=True))
    assert CostParameterSet.objects.count() == AcademicYear.objects.count()
    assert CostParameterChange.objects.count() >= 2
    for parameter_set in CostParameterSet.objects.all():
        parameter_set.full_clean()


def test_demo_is_idempotent(referent):
    seed()
    before = [list(m.objects.values()) for m in (CostParameterSet, CostParameterChange)]
    seed()
    after = [list(m.objects.values()) for m in (CostParameterSet, CostParameterChange)]
    # updated_at moves on save; nothing else may
    for rows in (before[0], after[0]):
        for row in rows:
            row.pop("updated_at")
    assert before == after


def test_demo_uses_an_existing_year(year):
    seed()
    assert AcademicYear.objects.filter(label=year.label).count() == 1
    assert CostParameterSet.objects.filter(year=year).exists()


def test_demo_fees_payments_receipts_and_a_waiver(year):
    """Fees for the external seats that exist, demo externals who paid in the held sessions
    (receipts 1..n, PDFs for the first three only), one waiver; a second run adds nothing."""
    import time_machine

    from billing.models import Fee, FeeStatus, Receipt
    from sessions_app.models import CertificationResult
    from tests.billing.conftest import make_registration, make_session
    from tests.conftest import make_user
    from tests.sessions_app.conftest import make_candidate

    make_user("gestionnaire@demo.pixcentre.fr", "administrator")
    from candidates.models import CandidateKind
    from sessions_app.models import Room

    room = Room.objects.create(site="Campus", name="Salle démo", capacity=20)
    held = make_session(year, room, date=dt.date(2025, 10, 2), status="held")
    existing = make_registration(
        make_session(year, room, date=dt.date(2026, 8, 30), hour=14),
        make_candidate(CandidateKind.EXTERNAL),
    )
    Fee.objects.filter(registration=existing).delete()  # as if booked before billing listened
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        seed()
        fees = Fee.objects.filter(registration__session=held)
        assert fees.count() >= 6
        assert fees.filter(status=FeeStatus.WAIVED).count() == 1
        assert fees.filter(status=FeeStatus.PAID).count() == fees.count() - 1
        assert Fee.objects.get(registration=existing).status == FeeStatus.DUE
        numbers = sorted(Receipt.objects.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        assert Receipt.objects.filter(generated_at__isnull=False).count() == 3
        assert CertificationResult.objects.filter(registration__session=held).count() >= 6
        before = (Fee.objects.count(), Receipt.objects.count())
        seed()
        assert (Fee.objects.count(), Receipt.objects.count()) == before
