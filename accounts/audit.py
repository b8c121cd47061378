"""Writing the audit trail: call ``record`` inside the service's transaction, with an action
from the catalogue (``accounts.audit_actions.AuditAction``)."""

import functools

from django.db import connection
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
    entry = AuditEntry(
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
    entry.pk = _insert(entry)
    entry._state.adding, entry._state.db = False, connection.alias
    return entry


def _insert(entry: AuditEntry) -> int:
    """INSERT the entry and return its id. Written by hand, with each field's own conversion
    for the database (``get_db_prep_save``: JSON, dates), as ``objects.create`` would write it:
    nearly every change of the centre writes one, the busiest requests (an apply POST, each
    convocation sent) included, and the ORM's statement building cost about 0.5 ms of it
    (issue 17). No signal listens to audit entries."""
    fields, sql = _insert_statement(connection.vendor)
    params = [field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@functools.cache
def _insert_statement(vendor: str) -> tuple[tuple, str]:
    """The fields written and the INSERT … RETURNING id (``vendor`` keys the cache: the
    quoting is the backend's; both PostgreSQL and SQLite ≥ 3.35 return the id)."""
    quote = connection.ops.quote_name
    fields = tuple(f for f in AuditEntry._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = quote(AuditEntry._meta.db_table)
    pk = quote(AuditEntry._meta.pk.column)
    return fields, f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608
