"""Writing the audit trail: call ``record`` inside the service's transaction, with an action
from the catalogue (``accounts.audit_actions.AuditAction``)."""

from django.utils import timezone

from .audit_actions import AuditAction
from .models import AuditEntry


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    candidate_id: int | None = None,
    session_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
    now=None,
) -> AuditEntry:
    """Record one change. ``action`` is an :class:`AuditAction` (its stored string is
    accepted; anything else is refused with ValueError: the journal could not name it).
    ``obj`` gives the object type and id; ``before``/``after`` are small JSON-able dicts of
    the fields that changed, keyed by the audited object's field names."""
    action = AuditAction(action)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        at=now or timezone.now(),
        actor=actor,
        action=action.value,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        candidate_id=candidate_id,
        session_id=session_id,
        before=before,
        after=after,
        summary=summary[:300],
    )
