import datetime as dt

import pytest


@pytest.fixture
def year(db):
    from candidates.models import AcademicYear

    year, _ = AcademicYear.objects.get_or_create(
        label="2025-2026",
        defaults={"start_date": dt.date(2025, 9, 1), "end_date": dt.date(2026, 8, 31)},
    )
    return year


@pytest.fixture
def next_year(db):
    from candidates.models import AcademicYear

    year, _ = AcademicYear.objects.get_or_create(
        label="2026-2027",
        defaults={"start_date": dt.date(2026, 9, 1), "end_date": dt.date(2027, 8, 31)},
    )
    return year
