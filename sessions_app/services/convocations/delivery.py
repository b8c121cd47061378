"""Sending the stored convocations, each once (the claim in ``convocations/__init__.py``),
their progress, a resend asked by the administrator and a convocation email cannot carry."""

from __future__ import annotations

import collections
import dataclasses
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from accounts.emails import build_message, render_email
from outbox.dispatch import enqueue

from ...models import (
    Convocation,
    ConvocationStatus,
    Registration,
    RegistrationStatus,
    Session,
)
from .common import (
    ARRIVAL_BEFORE,
    ConvocationError,
    _claim_many,
    _describe,
    recipient,
)

logger = logging.getLogger(__name__)


# --- sending ----------------------------------------------------------------------------------


def _convocation_email(convocation: Convocation) -> EmailMultiAlternatives:
    """The convocation email (``sessions_app/emails/convocation``, a "changed" notice from the
    second revision on) in the language the convocation was generated in, with the stored PDF
    and the ``.ics`` attached."""
    registration = convocation.registration
    session = registration.session
    with translation.override(convocation.language):
        context = {
            "name": registration.candidate.first_name,
            "session": _describe(session),
            "arrival": (session.starts_at - ARRIVAL_BEFORE).strftime("%H:%M"),
            "revision": convocation.revision,
        }
    email = render_email("sessions_app/emails/convocation", context, language=convocation.language)
    message = build_message(email, recipient(registration))
    with convocation.file.open("rb") as f:
        message.attach("convocation-pix.pdf", f.read(), "application/pdf")
    message.attach("certification-pix.ics", convocation.ics, "text/calendar; method=REQUEST")
    return message


def _to_deliver(ids):
    return Convocation.objects.filter(pk__in=ids).select_related(
        "registration__candidate__user", "registration__session__room"
    )


def deliver_convocation(convocation_id: int, *, now=None) -> str:
    """Send one stored convocation once. Returns ``sent``, ``no_address`` (no email address is
    known: the row says so) or ``skipped`` (already sent, being sent by another run, no longer
    confirmed); an SMTP error is recorded on the row, the claim released, and re-raised for the
    task to retry."""
    convocation = _to_deliver([convocation_id]).first()
    return _deliver(convocation, now or timezone.now())


# A session's convocations are sent in batches of this many, one task each: a task's overhead
# (its message and outbox row, reading its convocations) is paid once per batch, and a worker
# with several processes still sends one session's emails side by side.
DELIVERY_BATCH = 5


def batches(convocation_ids: list[int], size: int = DELIVERY_BATCH) -> list[list[int]]:
    return [convocation_ids[i : i + size] for i in range(0, len(convocation_ids), size)]


@dataclasses.dataclass
class Delivery:
    """What one pass over a batch did: the outcome of each convocation, and the transient
    errors of those to try again (``{id: error}``)."""

    outcomes: dict[int, str] = dataclasses.field(default_factory=dict)
    retry: dict[int, str] = dataclasses.field(default_factory=dict)

    def summary(self) -> dict:
        """How many convocations had each outcome (``{"sent": 4, "retry": 1}``)."""
        return dict(collections.Counter(self.outcomes.values()))


def deliver_convocations(convocation_ids: list[int], *, now=None) -> Delivery:
    """Send a batch of stored convocations, each once as :func:`deliver_convocation` does, read
    in one query and claimed in one statement (``common._claim_many``). A convocation the mail
    server refuses for a transient reason (``OSError``: SMTP errors, a lost connection) is
    recorded on its row and listed in ``retry``; the others go on. Each message opens its own
    connection, as before (one per batch would save an SMTP handshake per email, but the fault
    test's mail backend counts one file per message: left for later)."""
    now = now or timezone.now()
    delivery = Delivery()
    convocations = list(_to_deliver(convocation_ids).order_by("pk"))
    # Claimed together: the batch's sends are then one conditional UPDATE, not one each.
    claimed = _claim_many(Convocation, [c.pk for c in convocations if _sendable(c)], now)
    for convocation in convocations:
        try:
            delivery.outcomes[convocation.pk] = _deliver(convocation, now, claimed=claimed)
        except OSError as exc:
            delivery.outcomes[convocation.pk] = "retry"
            delivery.retry[convocation.pk] = str(exc)
        except Exception:
            # Not the mail server's doing: recorded on the row (attempts, last_error) and left
            # for the next run, as a failed task of its own would be; the batch goes on.
            logger.exception("convocation %s not sent", convocation.pk)
            delivery.outcomes[convocation.pk] = "error"
    for convocation_id in convocation_ids:
        delivery.outcomes.setdefault(convocation_id, "skipped")  # deleted meanwhile
    return delivery


def _skipped(convocation: Convocation | None) -> bool:
    """Nothing to send: gone, sent already, not stored, or the candidate no longer confirmed."""
    return (
        convocation is None
        or convocation.sent_at is not None
        or not convocation.file
        or convocation.registration.status != RegistrationStatus.CONFIRMED
    )


def _sendable(convocation: Convocation) -> bool:
    """To send now: not skipped, and an email address is known."""
    return not _skipped(convocation) and bool(recipient(convocation.registration))


def _deliver(convocation: Convocation | None, now, *, claimed: set[int] | None = None) -> str:
    """Send one convocation if it may be sent; ``claimed``: the ids a batch has claimed at once
    (:func:`_claim_many`), else this one is claimed on its own."""
    if _skipped(convocation):
        return "skipped"
    convocation_id = convocation.pk
    registration = convocation.registration
    if not recipient(registration):
        # Nothing can be sent, and the batch must not wait for it: a final state that says why
        # (the page offers to print it or to enter an address; the next run retries it).
        Convocation.objects.filter(pk=convocation_id, sent_at__isnull=True).update(
            status=ConvocationStatus.NO_ADDRESS, sending_since=None
        )
        return "no_address"
    if claimed is None:
        claimed = _claim_many(Convocation, [convocation_id], now)
    if convocation_id not in claimed:
        return "skipped"
    try:
        _convocation_email(convocation).send(fail_silently=False)
    except Exception as exc:
        Convocation.objects.filter(pk=convocation_id).update(
            sending_since=None, attempts=F("attempts") + 1, last_error=str(exc)[:500]
        )
        raise
    with transaction.atomic():
        _mark_sent(convocation_id, now)
        audit.record(
            AuditAction.CONVOCATION_SENT,
            obj=convocation,
            candidate_id=registration.candidate_id,
            session_id=registration.session_id,
            after={"revision": convocation.revision, "to": recipient(registration)},
            summary=f"Convocation v{convocation.revision} envoyée",
            now=now,
        )
    return "sent"


def _mark_sent(convocation_id: int, now) -> None:
    """Sent: the claim released, the attempt counted. Written by hand, as the claim is: one
    statement per email sent, whose query building cost the ORM about 0.4 ms (issue 17)."""
    table = connection.ops.quote_name(Convocation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sent_at = %s, sending_since = NULL, "  # noqa: S608 (parameters)
            "status = %s, attempts = attempts + 1, last_error = '' WHERE id = %s",
            [
                connection.ops.adapt_datetimefield_value(now),
                str(ConvocationStatus.SENT),
                convocation_id,
            ],
        )


def mark_failed(convocation_id: int, error: str) -> None:
    """After the last try: shown as failed to the administrator, who may resend it."""
    Convocation.objects.filter(pk=convocation_id, sent_at__isnull=True).update(
        status=ConvocationStatus.FAILED, sending_since=None, last_error=error[:500]
    )


def convocations_to_send(session_id: int) -> list[int]:
    return list(
        Convocation.objects.filter(
            registration__session_id=session_id,
            registration__status=RegistrationStatus.CONFIRMED,
            sent_at__isnull=True,
        )
        .exclude(status=ConvocationStatus.FAILED)
        .exclude(file="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def prepare_resend(convocation: Convocation, *, acting_user, now=None) -> Convocation:
    """The administrator asks for one convocation to be sent again (failed or lost)."""
    if not (acting_user and acting_user.is_administrator):
        raise ConvocationError(_("Seul un gestionnaire peut renvoyer une convocation."))
    now = now or timezone.now()
    convocation = Convocation.objects.select_for_update().get(pk=convocation.pk)
    if convocation.registration.status != RegistrationStatus.CONFIRMED:
        raise ConvocationError(_("Cette inscription n’est plus confirmée."))
    before = {"status": convocation.status, "sent_at": str(convocation.sent_at or "")}
    Convocation.objects.filter(pk=convocation.pk).update(
        sent_at=None,
        sending_since=None,
        attempts=0,
        last_error="",
        status=ConvocationStatus.GENERATED if convocation.file else ConvocationStatus.PENDING,
    )
    audit.record(
        AuditAction.CONVOCATION_RESEND,
        actor=acting_user,
        obj=convocation,
        candidate_id=convocation.registration.candidate_id,
        session_id=convocation.registration.session_id,
        before=before,
        after={"status": "to_send"},
        now=now,
    )
    convocation.refresh_from_db()
    return convocation


def progress(session: Session) -> dict:
    """x / n generated, sent, failed, without an address, for the administrator's live page
    (two queries)."""
    total = Registration.objects.filter(
        session=session, status=RegistrationStatus.CONFIRMED
    ).count()
    counts = Convocation.objects.filter(
        registration__session=session, registration__status=RegistrationStatus.CONFIRMED
    ).aggregate(
        generated=Count("pk", filter=Q(generated_at__isnull=False) & ~Q(status="pending")),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        failed=Count("pk", filter=Q(status=ConvocationStatus.FAILED)),
        no_address=Count("pk", filter=Q(status=ConvocationStatus.NO_ADDRESS)),
    )
    counts["total"] = total
    # Done when every convocation has an outcome: sent, refused, or no address to send it to.
    finished = counts["sent"] + counts["failed"] + counts["no_address"]
    counts["done"] = total > 0 and finished >= total
    return counts


# --- convocations that email cannot carry -----------------------------------------------------


def not_sent_reason(convocation: Convocation | None) -> str:
    """Why a confirmed candidate's convocation has not gone by email, in words, for the
    administrator ("" once it is sent)."""
    if convocation is None or convocation.status == ConvocationStatus.PENDING:
        return _("Pas encore générée : lancez l’envoi des convocations.")
    if convocation.sent_at is not None:
        return ""
    if convocation.status == ConvocationStatus.NO_ADDRESS:
        return _(
            "Aucune adresse e-mail : le candidat ne s’est jamais connecté et aucune adresse de "
            "convocation n’est connue. Imprimez sa convocation, ou saisissez son adresse pour "
            "l’envoyer."
        )
    if convocation.status == ConvocationStatus.FAILED:
        return _("Le serveur de messagerie a refusé l’envoi : %(error)s") % {
            "error": convocation.last_error or "—"
        }
    if convocation.sending_since:
        return _("Envoi en cours.")
    return _("En attente d’envoi.")


@transaction.atomic(durable=True)
def set_address_and_resend(
    convocation: Convocation, address: str, *, acting_user, now=None
) -> Convocation:
    """The administrator learnt a candidate's address: it becomes their convocation address
    (audited) and the convocation is sent to it once this is committed."""
    from django.contrib.auth.base_user import BaseUserManager
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from candidates.models import Candidate

    if not (acting_user and acting_user.is_authenticated and acting_user.is_administrator):
        raise ConvocationError(_("Seul un gestionnaire peut renvoyer une convocation."))
    now = now or timezone.now()
    address = BaseUserManager.normalize_email((address or "").strip())
    try:
        validate_email(address)
    except ValidationError:
        raise ConvocationError(
            _("« %(address)s » n’est pas une adresse e-mail valide.") % {"address": address}
        ) from None
    convocation = (
        Convocation.objects.select_for_update()
        .select_related("registration")
        .get(pk=convocation.pk)
    )
    registration = convocation.registration
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ConvocationError(_("Cette inscription n’est plus confirmée."))
    candidate = Candidate.objects.select_for_update().get(pk=registration.candidate_id)
    before = candidate.convocation_email
    if before != address:
        candidate.convocation_email = address
        candidate.save(update_fields=["convocation_email"])
        audit.record(
            AuditAction.CONVOCATION_ADDRESS_SET,
            actor=acting_user,
            obj=candidate,
            candidate_id=candidate.pk,
            session_id=registration.session_id,
            before={"convocation_email": before},
            after={"convocation_email": address},
            summary=str(candidate),
            now=now,
        )
    Convocation.objects.filter(pk=convocation.pk).update(
        sent_at=None,
        sending_since=None,
        attempts=0,
        last_error="",
        status=ConvocationStatus.GENERATED if convocation.file else ConvocationStatus.PENDING,
    )
    if convocation.file:
        enqueue("sessions_app.tasks.deliver_convocation", convocation.pk)
    else:
        enqueue("sessions_app.tasks.send_session_convocations", registration.session_id)
    convocation.refresh_from_db()
    return convocation
