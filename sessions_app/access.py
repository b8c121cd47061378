"""Who may see which session object: 404 for objects a user may not even know exist."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Registration


def candidate_of(user):
    """The signed-in user's candidate record, or 404 (an account without one sees nothing)."""
    candidate = getattr(user, "candidate", None) if user.is_authenticated else None
    if candidate is None:
        raise Http404
    return candidate


def registration_for(user, pk) -> Registration:
    """Administrators see every registration; a candidate only their own; others nothing."""
    queryset = Registration.objects.select_related("candidate__user", "session__room")
    if user.is_authenticated and user.is_administrator:
        return get_object_or_404(queryset, pk=pk)
    return get_object_or_404(queryset, pk=pk, candidate=candidate_of(user))
