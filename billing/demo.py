"""Demo cost parameters: the seed's values for each academic year, with a little history."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from candidates.models import AcademicYear

from . import services

# Same years as the sessions demo (get_or_create: whichever app runs first creates them).
DEMO_YEARS = [
    ("2025-2026", dt.date(2025, 9, 1), dt.date(2026, 8, 31)),
    ("2026-2027", dt.date(2026, 9, 1), dt.date(2027, 8, 31)),
]
REFERENT_EMAIL = "referent@demo.pixcentre.fr"

# (year, when, values, note): what the demo referent changed, from the seed's values.
DEMO_CHANGES = [
    (
        "2025-2026",
        dt.datetime(2025, 9, 15, 10, 30),
        {"referent_days": 5},
        "Une journée de plus pour préparer l’ouverture aux candidats externes.",
    ),
    (
        "2026-2027",
        dt.datetime(2026, 9, 7, 14, 0),
        {"hourly_cost": Decimal("19.05"), "external_fee": Decimal("40.00")},
        "Revalorisation des vacations ; frais externes ramenés à 40 €.",
    ),
]


def seed(*, rng, stdout):
    for label, start, end in DEMO_YEARS:
        AcademicYear.objects.get_or_create(
            label=label, defaults={"start_date": start, "end_date": end, "student_quota": 400}
        )
    referent = User.objects.filter(email=REFERENT_EMAIL).first()
    for year in AcademicYear.objects.all():
        parameter_set = services.cost_parameters_for(year)
        if parameter_set.changes.exists():
            continue  # already seeded (or edited since): leave it alone
        for label, when, values, note in DEMO_CHANGES:
            if label == year.label:
                services.apply_cost_parameter_changes(
                    year,
                    acting_user=referent,
                    values=values,
                    note=note,
                    now=timezone.make_aware(when),
                )
    stdout.write(f"Cost parameters: {AcademicYear.objects.count()} academic year(s).")
