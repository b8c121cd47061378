import random
from io import StringIO

import pytest

from billing import demo
from billing.models import CostParameterChange, CostParameterSet
from candidates.models import AcademicYear

pytestmark = pytest.mark.django_db


def seed():
    demo.seed(rng=random.Random(1), stdout=StringIO())


def test_demo_gives_each_year_parameters_and_some_history(referent):
    seed()
    labels = {label for label, _s, _e in demo.DEMO_YEARS}
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
