"""The demo's part of the reconciliation with Pix (billing/reconciliation.py): the held sessions
whose results came back were exported to Pix Certif before they took place, and a few things
went wrong, as they do in a real year, so that the page has mismatches to show:

* the waived fee of an external candidate exported « Payante » (billing's demo waives one):
  « Payante » without a paid fee;
* fees paid by purchase order, exported without a prepaid code (billing's demo records some);
* an external candidate exported « Gratuite » in an earlier file, never exported again;
* a student marked absent at roll call who has a result;
* a Pix+ Droit result for a student who had not chosen it;
* a student present at roll call in an earlier session, whose result Pix has not sent.

Idempotent: a second run finds the same rows and changes nothing more. Runs last (after the
invigilation demo, whose roll calls it may correct).
"""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from candidates.models import AcademicYear, CandidateKind
from sessions_app.models import (
    SEAT_STATUSES,
    Attendance,
    CertificationResult,
    ExportedCandidate,
    Registration,
    Session,
    SessionStatus,
)

from . import reconciliation

DEMO_EXPORT_HOUR = dt.time(16, 30)


def _export_time(session) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(session.date - dt.timedelta(days=5), DEMO_EXPORT_HOUR)
    )


def _mark(registration, status, now):
    Attendance.objects.update_or_create(
        registration=registration, defaults={"status": status, "marked_at": now}
    )


def _present_without_result(year, now):
    """A student of an earlier held session, present at roll call, whose result Pix has not
    sent: a session that no other demo gave roll calls or results to."""
    today = timezone.localdate()
    for session in Session.objects.filter(
        academic_year=year, date__lt=today, status=SessionStatus.HELD
    ).order_by("date", "start_time"):
        registrations = Registration.objects.filter(session=session, status="confirmed")
        marked = registrations.filter(attendance__isnull=False)
        if registrations.filter(result__isnull=False).exists():
            continue
        if marked.count() > 1 or (marked.count() == 0 and not registrations.exists()):
            continue
        first = registrations.order_by("pk").first()
        if first is None or (marked.exists() and marked.get() != first):
            continue
        _mark(first, "present", now)
        return


def seed(*, rng, stdout):
    year = AcademicYear.current()
    admin = User.objects.filter(email="gestionnaire@demo.pixcentre.fr").first()
    if year is None:
        return
    now = timezone.now()
    sessions = list(
        Session.objects.filter(
            academic_year=year,
            status__in=[SessionStatus.HELD, SessionStatus.FINALISED],
            registrations__result__isnull=False,
        )
        .distinct()
        .order_by("date", "start_time")
    )
    tweaked = free_once = False
    for session in sessions:
        registrations = list(
            Registration.objects.filter(session=session, status__in=SEAT_STATUSES)
            .select_related("candidate", "result")
            .order_by("pk")
        )
        if not ExportedCandidate.objects.filter(registration__session=session).exists():
            ExportedCandidate.objects.bulk_create(
                ExportedCandidate(
                    registration=r,
                    exported_at=_export_time(session),
                    exported_by=admin,
                    file_format="csv",
                    pricing=r.pricing,
                    prepaid_code=r.prepaid_code,
                    complementary=r.get_complementary_display() if r.complementary else "",
                )
                for r in registrations
            )
            externals = [r for r in registrations if r.candidate.kind == CandidateKind.EXTERNAL]
            if len(externals) >= 3 and not free_once:
                free_once = True
                # Sent to Pix as free in that file; its kind was corrected afterwards.
                ExportedCandidate.objects.filter(registration=externals[-1]).update(
                    pricing="Gratuite"
                )
        students = [r for r in registrations if r.candidate.kind == CandidateKind.STUDENT]
        with_result = [r for r in students if getattr(r, "result", None) is not None]
        if tweaked or len(with_result) < 2:
            continue
        # One session of students gets the roll-call and result mismatches (the same two
        # students on every run: the first by registration).
        tweaked = True
        absent, pix_plus = with_result[:2]
        _mark(absent, "absent", now)  # a result for an absent candidate
        if not pix_plus.complementary:  # a Pix+ Droit result they had not chosen
            CertificationResult.objects.filter(registration=pix_plus).update(
                complementary={"Pix+ Droit": "Validée"}
            )
    _present_without_result(year, now)
    counts = reconciliation.for_year(year).counts()
    stdout.write(
        f"Reconciliation with Pix {year}: {sum(counts.values())} mismatch(es) in "
        f"{len(sessions)} session(s) with results."
    )
