"""Scores and priority computed from the newest positioning profiles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from competences import scoring
from outbox.dispatch import enqueue

from .. import priority
from ..models import (
    Candidate,
    PositioningProfile,
    UnitEnrolment,
)
from .common import _chunks, _now

# --- Scores and priority -------------------------------------------------------------------------


SCORE_FIELDS = [
    "total_pix",
    "is_certifiable",
    "average_level",
    "priority_tier",
    "priority_reason",
    "scores_computed_at",
]


def compute_scores(candidate_ids: Iterable[int] | None = None, *, now=None) -> int:
    """Recompute total pix, certifiable, average level and priority tier from the newest
    profile and the completed preparation units. ``None`` = every candidate. Idempotent."""
    now = _now(now)
    qs = Candidate.objects.filter(anonymised_at__isnull=True).only(
        "pk", "kind", "study_year", *SCORE_FIELDS
    )
    if candidate_ids is None:
        chunks = [list(qs.values_list("pk", flat=True))]
    else:
        chunks = [list(candidate_ids)]
    updated = 0
    for ids in chunks:
        for chunk in _chunks(ids):
            with transaction.atomic():
                updated += _compute_chunk(qs.filter(pk__in=chunk), chunk, now)
    return updated


def _compute_chunk(qs, ids, now) -> int:
    newest: dict[int, tuple] = {}
    for row in (
        PositioningProfile.objects.filter(candidate_id__in=ids)
        .order_by("candidate_id", "-measured_at", "-pk")
        .values_list("candidate_id", "total_pix", "is_certifiable", "average_level")
    ):
        newest.setdefault(row[0], row[1:])
    completed: dict[int, set[str]] = defaultdict(set)
    for cid, code, done, count in UnitEnrolment.objects.filter(candidate_id__in=ids).values_list(
        "candidate_id", "unit__code", "courses_completed", "unit__course_count"
    ):
        if done >= count:
            completed[cid].add(code)
    changed = []
    reasons: dict[tuple, tuple[int, str]] = {}  # few distinct inputs: word each reason once
    for c in qs:
        total, certifiable, average = newest.get(c.pk, (None, False, None))
        units = frozenset(completed.get(c.pk, ()))
        key = (c.kind, c.study_year, average, units)
        if key not in reasons:
            reasons[key] = priority.priority(
                kind=c.kind, study_year=c.study_year, average_level=average, completed_units=units
            )
        tier, reason = reasons[key]
        c.total_pix, c.is_certifiable, c.average_level = total, certifiable, average
        c.priority_tier, c.priority_reason, c.scores_computed_at = tier, reason, now
        changed.append(c)
    bulk_set(Candidate, changed, SCORE_FIELDS)
    return len(changed)


def bulk_set(model, objs: list, field_names: list[str], batch_size: int = 500) -> None:
    """``bulk_update`` for many rows with different values, in one ``UPDATE … FROM (VALUES …)``
    per batch. Django's ``bulk_update`` builds a CASE per field and row, which takes minutes
    for 10,000 candidates; this takes a fraction of a second (PostgreSQL, SQLite ≥ 3.33)."""
    from django.db import connection

    if not objs:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    cast = connection.vendor == "postgresql"  # SQLite: values are already in storage form
    columns = ", ".join(["id", *(f"v{i}" for i in range(len(fields)))])
    assignments = ", ".join(
        f"{qn(f.column)} = "
        + (f"CAST(v.v{i} AS {f.cast_db_type(connection)})" if cast else f"v.v{i}")
        for i, f in enumerate(fields)
    )
    for batch in _chunks(objs, batch_size):
        rows, params = [], []
        for obj in batch:
            rows.append("(" + ", ".join(["%s"] * (len(fields) + 1)) + ")")
            params.append(obj.pk)
            params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
        sql = (
            f"WITH v({columns}) AS (VALUES {', '.join(rows)}) "  # noqa: S608 - names are quoted
            f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def request_scores(candidate_ids: list[int] | None = None) -> None:
    """On demand: enqueue the computation after commit."""
    from ..tasks import compute_scores_task

    enqueue(compute_scores_task, candidate_ids)


def max_score() -> int:
    return scoring.max_score(settings.PIX_MAX_LEVEL)
