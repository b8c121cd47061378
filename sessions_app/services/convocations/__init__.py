"""Convocations: the one-page PDF and the calendar invitation each confirmed candidate receives,
their sending, the reminders before the session, and what happens when a session moves.

Documents are stored files (``Convocation.file`` + ``generated_at``) rendered once by
WeasyPrint from ``sessions_app/convocations/pdf.html``; emails attach the stored file, never a
fresh rendering, and the printable PDF of a session merges the stored files.

Sending is idempotent. Each email is *claimed* first with a conditional UPDATE::

    UPDATE convocation SET sending_since = now
     WHERE id = %s AND sent_at IS NULL AND (sending_since IS NULL OR sending_since < now - lease)

A batch of a session's convocations (``deliver_convocations``) is claimed the same way in one
statement (``... WHERE id IN (...) ... RETURNING id``). Only the run whose UPDATE touched the
row sends; ``sent_at`` is written right after the SMTP
server accepted the message. A second run (or two workers at once) finds the row sent or
claimed and does nothing; a worker that died after claiming leaves a claim that expires after
``PIX_CONVOCATION_SEND_LEASE_SECONDS`` (10 minutes; for a batch, its convocations not sent
yet), and the next run finishes the rest. The
only window for a duplicate is a crash between the SMTP server's acceptance and the ``sent_at``
write, which no SMTP client can close.
Reminders (7 days and 1 day before) use the same claim on ``ReminderSent``, unique per
registration and kind.

The package's modules, one per noun: ``documents`` (the PDF, the ``.ics``, the printable
convocations of a session), ``delivery`` (sending, progress, resending), ``reminders``,
``rescheduling`` (a session moves), and ``common`` (what they share). This file re-exports
their public names, so that ``services.convocations.X`` still names each of them; the modules
import only their siblings, never this package.
"""

from accounts.emails import send_backoff

from .common import (
    ARRIVAL_BEFORE,
    LIVE_STATUSES,
    MAX_SEND_ATTEMPTS,
    REMINDER_WINDOWS,
    ConvocationError,
    duration_minutes,
    format_minutes,
    language_for,
    recipient,
    site_url,
)
from .delivery import (
    DELIVERY_BATCH,
    Delivery,
    batches,
    convocations_to_send,
    deliver_convocation,
    deliver_convocations,
    mark_failed,
    not_sent_reason,
    prepare_resend,
    progress,
    set_address_and_resend,
)
from .documents import (
    build_ics,
    convocation_context,
    generate_convocation,
    generate_session_convocations,
    presence_code_text,
    presence_qr,
    printable_convocations,
    render_html,
    render_pdf,
)
from .reminders import (
    due_reminders,
    send_reminders,
)
from .rescheduling import (
    reschedule_session,
)

__all__ = [
    "DELIVERY_BATCH",
    "Delivery",
    "batches",
    "deliver_convocations",
    "ARRIVAL_BEFORE",
    "ConvocationError",
    "LIVE_STATUSES",
    "MAX_SEND_ATTEMPTS",
    "REMINDER_WINDOWS",
    "build_ics",
    "convocation_context",
    "convocations_to_send",
    "deliver_convocation",
    "due_reminders",
    "duration_minutes",
    "format_minutes",
    "generate_convocation",
    "generate_session_convocations",
    "language_for",
    "mark_failed",
    "not_sent_reason",
    "prepare_resend",
    "presence_code_text",
    "presence_qr",
    "printable_convocations",
    "progress",
    "recipient",
    "render_html",
    "render_pdf",
    "reschedule_session",
    "send_backoff",
    "send_reminders",
    "set_address_and_resend",
    "site_url",
]
