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
from . import bulk
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
    qs = Candidate.objects.filter(anonymised_at__isnull=True)
    ids = list(qs.values_list("pk", flat=True)) if candidate_ids is None else list(candidate_ids)
    updated = 0
    for chunk in _chunks(ids, SCORE_CHUNK):
        with transaction.atomic():
            updated += _compute_chunk(qs, chunk, now)
    return updated


# Candidates per transaction: large enough for few statements, small enough to keep each
# transaction's locks short while registrations go on.
SCORE_CHUNK = 5000


def _compute_chunk(qs, ids, now) -> int:
    """Tuples only, one read of each table and one UPDATE: no model instance per row. The ids
    go as one parameter (``bulk.values_in``), not one placeholder each."""
    ids = bulk.values_in(ids, "bigint")
    qs = qs.filter(pk__in=ids)
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
    nothing = (None, False, None)
    empty = frozenset()
    for pk, kind, study_year in qs.values_list("pk", "kind", "study_year"):
        total, certifiable, average = newest.get(pk, nothing)
        units = frozenset(completed[pk]) if pk in completed else empty
        key = (kind, study_year, average, units)
        if key not in reasons:
            reasons[key] = priority.priority(
                kind=kind, study_year=study_year, average_level=average, completed_units=units
            )
        tier, reason = reasons[key]
        changed.append((pk, total, certifiable, average, tier, reason, now))
    bulk.update_rows(Candidate, SCORE_FIELDS, changed)
    return len(changed)


def request_scores(candidate_ids: list[int] | None = None) -> None:
    """On demand: enqueue the computation after commit."""
    enqueue("candidates.tasks.compute_scores_task", candidate_ids)


def max_score() -> int:
    return scoring.max_score(settings.PIX_MAX_LEVEL)
