"""What the candidate workflows share: the domain error, injected time, batching."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from pixcentre.errors import DomainError

CHUNK = 2000


class CandidateError(DomainError):
    """A workflow refused; the message is for the person who asked."""


def _now(now):
    return now or timezone.now()


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
