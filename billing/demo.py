"""Demo billing: the seed's cost parameters for each academic year (with a little history),
and external candidates' fees for the current year.

Fees: every confirmed seat of an external candidate gets its fee (the demo external's booking
included, left unpaid so that the administrators see who has not paid). So that the referent's
dashboard shows believable revenue, the external and mixed sessions already held this year get
a few external candidates (``DEMO-EXT-…``) who paid — card, cheque, transfer, purchase order —
one of them exempted; only the first receipts get their PDF (rendering every one would slow
the demo down; the others can be produced by the task later). Idempotent: sessions that have
their demo externals already are left alone, and a paid fee is never paid twice.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from candidates.demo import academic_years, season_day
from candidates.models import AcademicYear, Candidate, CandidateKind

from . import services
from .models import Fee, FeeStatus, PaymentMethod, Receipt
from .receipts import generate_receipt

# (year, days after its start and time, values, note), years counted back from the demo's (0):
# what the demo referent changed, from the seed's values.
DEMO_CHANGES = [
    (
        1,
        (14, dt.time(10, 30)),
        {"referent_days": 5},
        "Une journée de plus pour préparer l’ouverture aux candidats externes.",
    ),
    (
        0,
        (6, dt.time(14, 0)),
        {"hourly_cost": Decimal("19.05"), "external_fee": Decimal("40.00")},
        "Revalorisation des vacations ; frais externes ramenés à 40 €.",
    ),
]
REFERENT_EMAIL = "referent@demo.pixcentre.fr"


def seed(*, rng, stdout):
    from sessions_app.services import emails_suppressed

    with emails_suppressed():  # the demo's bookings, payments and refunds write to nobody
        return _seed(rng=rng, stdout=stdout)


def _seed(*, rng, stdout):
    # Same years as the sessions demo (get_or_create: whichever app runs first creates them).
    years = academic_years(timezone.localdate())
    for label, start, end in years:
        AcademicYear.objects.get_or_create(
            label=label, defaults={"start_date": start, "end_date": end, "student_quota": 400}
        )
    referent = User.objects.filter(email=REFERENT_EMAIL).first()
    for year in AcademicYear.objects.all():
        parameter_set = services.cost_parameters_for(year)
        if parameter_set.changes.exists():
            continue  # already seeded (or edited since): leave it alone
        for back, (days, time), values, note in DEMO_CHANGES:
            label, start, _end = years[-1 - back]
            if label == year.label:
                when = dt.datetime.combine(start + dt.timedelta(days=days), time)
                services.apply_cost_parameter_changes(
                    year,
                    acting_user=referent,
                    values=values,
                    note=note,
                    now=timezone.make_aware(when),
                )
    stdout.write(f"Cost parameters: {AcademicYear.objects.count()} academic year(s).")
    _fees(rng=rng, stdout=stdout)


DEMO_EXTERNAL_PREFIX = "DEMO-EXT"
EXTERNAL_NAMES = [
    ("BERNARD", "Camille"), ("GIRAUD", "Nathalie"), ("FAURE", "Julien"), ("ROUSSEL", "Anaïs"),
    ("MERCIER", "Olivier"), ("BLANCHARD", "Sarah"), ("GAUTHIER", "Karim"), ("PERRIN", "Élodie"),
    ("MOREL", "Thomas"), ("FONTAINE", "Inès"), ("CHEVALIER", "Lucas"), ("ROBIN", "Mathilde"),
]  # fmt: skip
METHODS = [
    PaymentMethod.CARD, PaymentMethod.CHEQUE, PaymentMethod.TRANSFER, PaymentMethod.CARD,
    PaymentMethod.PURCHASE_ORDER, PaymentMethod.CASH,
]  # fmt: skip
RECEIPT_PDFS = 3


def _fees(*, rng, stdout):
    from sessions_app.models import Audience, Registration, RegistrationStatus, Session

    admin = User.objects.filter(email="gestionnaire@demo.pixcentre.fr").first()
    today = timezone.localdate()
    year = AcademicYear.current(season_day(today))  # the sessions demo's year
    if year is None:
        return
    # Fees of the external seats that exist (booked before billing listened, or bulk-made).
    for registration in Registration.objects.filter(
        candidate__kind=CandidateKind.EXTERNAL, status=RegistrationStatus.CONFIRMED
    ).select_related("candidate", "academic_year"):
        services.ensure_fee(registration)

    held = list(
        Session.objects.filter(
            academic_year=year,
            date__lt=today,
            status__in=["held", "finalised"],
            audience__in=[Audience.EXTERNAL, Audience.MIXED],
        ).order_by("date")
    )
    coming = Session.objects.filter(
        academic_year=year, date__gt=today, audience=Audience.EXTERNAL, status="open"
    ).order_by("date")[:1]
    serial = Candidate.objects.filter(external_id__startswith=DEMO_EXTERNAL_PREFIX).count()
    for session in [*held, *coming]:
        if session.registrations.filter(
            candidate__external_id__startswith=DEMO_EXTERNAL_PREFIX
        ).exists():
            continue
        free = session.capacity - session.registrations.filter(status="confirmed").count()
        wanted = min(free, rng.randint(6, 12) if session in held else 2)
        for _i in range(wanted):
            birth_name, first_name = EXTERNAL_NAMES[serial % len(EXTERNAL_NAMES)]
            serial += 1
            candidate = Candidate.objects.create(
                kind=CandidateKind.EXTERNAL,
                birth_name=birth_name,
                first_name=first_name,
                external_id=f"{DEMO_EXTERNAL_PREFIX}-{serial:03d}",
                convocation_email=f"externe{serial}@example.org",
            )
            booked = timezone.make_aware(
                dt.datetime.combine(
                    session.date - dt.timedelta(days=rng.randint(10, 30)), dt.time(10)
                )
            )
            Registration.objects.create(  # post_save makes the fee due
                candidate=candidate,
                session=session,
                academic_year=year,
                status=RegistrationStatus.CONFIRMED,
                source="booking",
                created_at=booked,
                confirmed_at=booked,
                created_by=admin,
            )

    _results(held, rng)
    if admin is None:
        return
    due_held = (
        Fee.objects.filter(
            academic_year=year,
            status=FeeStatus.DUE,
            registration__session__in=held,
            registration__candidate__external_id__startswith=DEMO_EXTERNAL_PREFIX,
        )
        .select_related("registration__session")
        .order_by("registration__session__date", "pk")
    )
    if not Fee.objects.filter(academic_year=year, status=FeeStatus.WAIVED).exists():
        first = due_held.first()
        if first is not None:
            services._waive_fee(
                first, acting_user=admin, reason="Demandeur d’emploi (convention Pôle emploi)"
            )
    for i, fee in enumerate(due_held.exclude(status=FeeStatus.WAIVED)):
        session_date = fee.registration.session.date
        services._record_payment(
            fee,
            acting_user=admin,
            paid_on=session_date - dt.timedelta(days=rng.randint(1, 8)),
            method=METHODS[i % len(METHODS)],
            reference=f"DEMO-{fee.pk:05d}",
            now=timezone.make_aware(dt.datetime.combine(session_date, dt.time(8))),
            make_pdf=False,
        )

    made = Receipt.objects.filter(year=year, generated_at__isnull=False).count()
    for receipt_id in (
        Receipt.objects.filter(year=year, generated_at__isnull=True)
        .order_by("number")
        .values_list("pk", flat=True)[: max(RECEIPT_PDFS - made, 0)]
    ):
        generate_receipt(receipt_id)
    counts = {
        status: Fee.objects.filter(academic_year=year, status=status).count()
        for status in (FeeStatus.PAID, FeeStatus.DUE, FeeStatus.WAIVED)
    }
    stdout.write(
        f"Fees {year}: {counts[FeeStatus.PAID]} paid, {counts[FeeStatus.DUE]} due, "
        f"{counts[FeeStatus.WAIVED]} waived."
    )


def _results(held, rng):
    """The demo externals of held sessions sat the test: present, and their Pix results."""
    from sessions_app.models import Attendance, CertificationResult, Registration
    from sessions_app.pix.results import core_level_label

    now = timezone.now()
    for registration in Registration.objects.filter(
        session__in=held,
        status="confirmed",
        candidate__external_id__startswith=DEMO_EXTERNAL_PREFIX,
        result__isnull=True,
    ).select_related("session"):
        Attendance.objects.get_or_create(
            registration=registration, defaults={"status": "present", "marked_at": now}
        )
        validated = rng.random() > 0.1
        score = rng.randint(180, 520) if validated else None
        CertificationResult.objects.create(
            registration=registration,
            certification_number=f"DEMO{registration.pk:06d}",
            status="Validée" if validated else "Rejetée",
            score=score,
            level=core_level_label(score),
            taken_on=registration.session.date,
            imported_at=now,
        )
