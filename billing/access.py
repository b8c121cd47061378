"""Who may see which fee or receipt: 404 for objects a user may not even know exist."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Receipt


def receipt_for(user, pk) -> Receipt:
    """Administrators see every receipt; a candidate only their own; others nothing."""
    queryset = Receipt.objects.select_related("year", "payment__fee__registration__candidate")
    if not user.is_authenticated:
        raise Http404
    if user.is_administrator:
        return get_object_or_404(queryset, pk=pk)
    candidate = getattr(user, "candidate", None)
    if candidate is None:
        raise Http404
    return get_object_or_404(queryset, pk=pk, payment__fee__registration__candidate=candidate)
