"""The convocation documents: the one-page PDF (WeasyPrint, from
``sessions_app/convocations/pdf.html``) stored once per revision, its calendar invitation, the
presence QR code, and the printable PDF of a session's convocations."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import uuid

import icalendar
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pixcentre import pdf

from ... import attendance_codes
from ...models import (
    PARIS,
    Convocation,
    ConvocationStatus,
    Registration,
    Session,
)
from .common import ARRIVAL_BEFORE, _registrations, format_minutes, language_for, site_url

logger = logging.getLogger(__name__)

# --- the documents ----------------------------------------------------------------------------


def _cancel_path() -> str:
    """The candidate's registration page (where they cancel), else their convocations."""
    try:
        return reverse("sessions_app:mine")
    except NoReverseMatch:
        return reverse("convocations:mine")


def convocation_context(registration: Registration) -> dict:
    session = registration.session
    candidate = registration.candidate
    minutes = registration.test_minutes_with_extra_time
    arrival = (session.starts_at - ARRIVAL_BEFORE).timetz()
    deadline = session.cancellation_deadline().astimezone(PARIS)
    return {
        "centre_name": settings.PIX_CENTRE_NAME,
        "centre_contact_email": settings.PIX_CENTRE_CONTACT_EMAIL,
        "candidate": candidate,
        "registration": registration,
        "session": session,
        "room": session.room,
        "date_text": date_format(session.date, "l j F Y"),
        "start_text": session.start_time.strftime("%H:%M"),
        "arrival_text": arrival.strftime("%H:%M"),
        "duration_text": format_minutes(minutes),
        "base_duration_text": format_minutes(registration.test_minutes),
        "certification": registration.certification_label,
        "extra_time": candidate.extra_time_percent,
        "complementary": registration.get_complementary_display()
        if registration.complementary
        else "",
        "cancel_url": site_url(_cancel_path()),
        "deadline_text": _("%(date)s à %(time)s")
        % {"date": date_format(deadline, "l j F Y"), "time": deadline.strftime("%H:%M")},
        "presence_qr": presence_qr(registration),
        "presence_code": presence_code_text(registration),
    }


def render_html(registration: Registration, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "sessions_app/convocations/pdf.html", convocation_context(registration)
        )


def render_pdf(registration: Registration, language: str | None = None) -> bytes:
    return pdf.write_pdf(render_html(registration, language or language_for(registration)))


def build_ics(registration: Registration, *, revision: int = 1, now=None) -> str:
    """A VCALENDAR with one VEVENT (METHOD:REQUEST); the uid is stable across revisions so a
    calendar replaces the event when the session moves."""
    session = registration.session
    minutes = registration.test_minutes_with_extra_time
    cal = icalendar.Calendar()
    cal.add("prodid", "-//pixcentre//Convocation Pix//FR")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"registration-{registration.pk}@pixcentre")
    event.add("sequence", revision - 1)
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", session.starts_at - ARRIVAL_BEFORE)
    event.add("dtend", session.starts_at + dt.timedelta(minutes=minutes))
    event.add("summary", _("Certification Pix"))
    event.add("location", f"{session.room}, {session.room.address}".strip(", "))
    event.add(
        "description",
        _("Arrivée à %(arrival)s, début à %(start)s. Apportez une pièce d’identité.")
        % {
            "arrival": (session.starts_at - ARRIVAL_BEFORE).strftime("%H:%M"),
            "start": session.start_time.strftime("%H:%M"),
        },
    )
    event.add("organizer", f"mailto:{settings.PIX_CENTRE_CONTACT_EMAIL}")
    cal.add_component(event)
    return cal.to_ical().decode()


def generate_convocation(registration: Registration, *, now=None) -> Convocation:
    """Render and store the convocation unless a current one is stored already."""
    now = now or timezone.now()
    convocation, _created = Convocation.objects.get_or_create(registration=registration)
    convocation.registration = registration  # the file's folder is the session's
    _store(registration, convocation, now)
    convocation.refresh_from_db()
    return convocation


def _store(registration: Registration, convocation: Convocation, now) -> bool:
    """Render and store ``convocation`` unless it is current, with one conditional UPDATE;
    the object then holds what is stored (ours, or what another run stored meanwhile)."""
    if _is_current(convocation):
        return False
    language = language_for(registration)
    pdf = render_pdf(registration, language)
    with translation.override(language):
        ics = build_ics(registration, revision=convocation.revision, now=now)
    old = convocation.file.name if convocation.file else ""
    name = f"convocation-{registration.pk}-v{convocation.revision}-{uuid.uuid4().hex[:8]}.pdf"
    convocation.file.save(name, ContentFile(pdf), save=False)
    # Store it only if no other run stored one meanwhile (two tasks for the same session at
    # once): the file we saw is still there and the revision has not moved.
    stored = _store_row(convocation, old=old, ics=ics, language=language, now=now)
    if stored and old:
        convocation.file.storage.delete(old)
    elif not stored:
        convocation.file.storage.delete(convocation.file.name)
        convocation.refresh_from_db()  # what the other run stored
        return False
    convocation.ics, convocation.language = ics, language
    convocation.generated_at, convocation.status = now, ConvocationStatus.GENERATED
    return True


def _store_row(convocation: Convocation, *, old: str, ics: str, language: str, now) -> bool:
    """The conditional UPDATE of :func:`_store`, written by hand: one per convocation rendered,
    whose query building cost the ORM about 0.5 ms (issue 17). True if it stored ours."""
    table = connection.ops.quote_name(Convocation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET file = %s, ics = %s, language = %s, "  # noqa: S608 (parameters)
            "generated_at = %s, status = %s WHERE id = %s AND file = %s AND revision = %s",
            [
                convocation.file.name, ics, language,
                connection.ops.adapt_datetimefield_value(now), str(ConvocationStatus.GENERATED),
                convocation.pk, old, convocation.revision,
            ],
        )  # fmt: skip
        return cursor.rowcount == 1


def _is_current(convocation: Convocation | None) -> bool:
    """Whether ``convocation`` has a stored file no change has made stale (a session that
    moved sets it back to ``PENDING``): the rule the sending and the printing share."""
    return bool(convocation is not None and convocation.file) and (
        convocation.status != ConvocationStatus.PENDING
    )


def generate_session_convocations(session: Session, *, now=None) -> list[Convocation]:
    """One stored convocation per confirmed registration (already current ones are kept).

    The queries do not grow with the candidates but for one UPDATE per convocation rendered:
    the registrations with their convocation in one SELECT, the missing rows in one INSERT
    (``ignore_conflicts``: another run may create them at the same moment) and one SELECT of
    them. A convocation another run stored meanwhile is read again."""
    now = now or timezone.now()
    registrations = list(_registrations(session.pk).select_related("convocation"))
    missing = [r for r in registrations if _convocation_of(r) is None]
    if missing:
        Convocation.objects.bulk_create(
            [Convocation(registration=r) for r in missing], ignore_conflicts=True
        )
        created = Convocation.objects.filter(registration__in=[r.pk for r in missing])
        by_registration = {c.registration_id: c for c in created}
        for registration in missing:
            registration.convocation = by_registration[registration.pk]
    convocations = []
    for registration in registrations:
        convocation = registration.convocation
        convocation.registration = registration
        _store(registration, convocation, now)
        convocations.append(convocation)
    return convocations


def _convocation_of(registration: Registration) -> Convocation | None:
    try:
        return registration.convocation
    except Convocation.DoesNotExist:
        return None


# --- the printable convocations of a session --------------------------------------------------


def presence_code_text(registration: Registration) -> str:
    """The presence code as printed under the QR code (``ABCD-EFGH-JKLM``)."""
    return attendance_codes.display(attendance_codes.code_for(registration.pk))


def presence_qr(registration: Registration) -> str:
    """The QR code of the presence address, as a PNG data URI for WeasyPrint. A PNG (not an
    SVG) so that the picture in the PDF is the one a scanner reads, and tests can take it out."""
    import segno

    url = site_url(
        reverse("invigilation:presence", args=[attendance_codes.token_for(registration.pk)])
    )
    return _png_data_uri(segno.make_qr(url, error="m", mask=QR_MASK), scale=8, border=4)


# The data mask of the presence QR code. Any of the 8 masks makes a valid code (ISO/IEC 18004,
# 7.8.2); the standard's penalty score only picks the most even-looking, and segno scoring all
# 8 in pure Python was about 5 ms of CPU per convocation, as much as the rest of the code.
# Mask 6 has the lowest mean and worst-case penalty on our presence addresses and is the one
# the score picks most often (docs/performance.md, « Convocations »).
QR_MASK = 6


def _png_data_uri(qr, *, scale: int, border: int) -> str:
    """What ``qr.png_data_uri(scale=, border=)`` returns, pixel for pixel (a 1-bit black and
    white PNG), written by Pillow: segno's own PNG writer is pure Python and cost about as much
    as making the code (docs/performance.md, « Convocations »). In a 1-bit image a module
    ``scale`` (a multiple of 8) pixels wide is ``scale // 8`` whole bytes, so the rows are
    made with ``bytes.translate`` and nothing is resized."""
    from PIL import Image

    if scale % 8:
        raise ValueError("scale must be a multiple of 8")
    per_module = scale // 8
    # Light modules white (bits set), dark ones black: segno's matrix holds 0 and 1.
    shades = bytes([255, 0]) + bytes(254)
    width = len(qr.matrix) + 2 * border
    margin = b"\xff" * (border * per_module)
    blank = b"\xff" * (width * per_module * scale * border)
    lines = []
    for row in qr.matrix:
        modules = bytes(row).translate(shades)
        if per_module > 1:
            modules = bytes(byte for byte in modules for _ in range(per_module))
        lines.append((margin + modules + margin) * scale)
    rows = b"".join(lines)
    image = Image.frombytes("1", (width * scale, width * scale), blank + rows + blank)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def printable_convocations(session: Session, *, only_not_sent: bool = False) -> tuple[bytes, int]:
    """One PDF of the session's convocations, one page per confirmed candidate in the order of
    the attendance list, to post or hand out; ``only_not_sent`` keeps the candidates no email
    has reached. Each convocation's stored file is merged as it is (the document the candidate
    was sent); one with no current file (never generated, or stale since the session moved) is
    rendered from the same template in the candidate's language, and not stored: printing
    changes nothing. One query, whatever the number of convocations."""
    from pypdf import PdfReader, PdfWriter

    registrations = (
        _registrations(session.pk)
        .select_related("convocation")
        .order_by("candidate__birth_name", "candidate__first_name", "pk")
    )
    if only_not_sent:
        registrations = registrations.exclude(convocation__sent_at__isnull=False)
    writer = PdfWriter()
    for registration in registrations:
        # Page by page: ``append`` also merges outlines, which a printout has no use for, and
        # costs about twice as much.
        for page in _pages(registration, PdfReader):
            writer.add_page(page)
    if not writer.pages:
        return b"", 0
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _pages(registration: Registration, reader):
    """The pages of ``registration``'s printable convocation. A stored file that is not a
    readable PDF (damaged, truncated) is rendered again, as a lost one is, instead of failing
    the whole printout."""
    from pypdf.errors import PdfReadError

    try:
        return reader(io.BytesIO(_printable_document(registration))).pages
    except PdfReadError:
        logger.warning(
            "Convocation of registration %s: stored PDF unreadable, rendered again", registration.pk
        )
        return reader(io.BytesIO(render_pdf(registration))).pages


def _printable_document(registration: Registration) -> bytes:
    """The stored PDF of ``registration``'s convocation if it is current, else a rendering."""
    convocation = _convocation_of(registration)
    if _is_current(convocation):
        try:
            with convocation.file.open("rb") as f:
                return f.read()
        except FileNotFoundError:
            pass  # the row names a file the storage lost: rendered like a missing one
    return render_pdf(registration)
