"""What linking accounts to records shares: its error, injected time, the scores it asks for."""

from __future__ import annotations

from django.utils import timezone

from outbox.dispatch import enqueue

from ..common import CandidateError


class LinkingError(CandidateError):
    """Refused; the message is for the person who asked (shown by ``pixcentre.errors``)."""


def _now(now):
    return now or timezone.now()


def _request_scores(candidate_id: int) -> None:
    enqueue("candidates.tasks.compute_scores_task", [candidate_id])
