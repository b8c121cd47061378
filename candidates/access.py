"""Who may see one candidate: decided here, for every view that shows one.

Administrators and the Pix referent see every candidate; a candidate sees only their own
record. Anyone else gets 404: a student must not even learn that another profile exists.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import STAFF_ROLES, has_role

from .models import Candidate


def can_see_all(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def visible_candidates(user, queryset=None):
    queryset = queryset if queryset is not None else Candidate.objects.all()
    if can_see_all(user):
        return queryset
    if user.is_authenticated and user.is_active:
        return queryset.filter(user=user)
    return queryset.none()


def get_candidate_for(user, pk, queryset=None) -> Candidate:
    """The candidate ``pk`` if ``user`` may see it, else 404."""
    return get_object_or_404(visible_candidates(user, queryset), pk=pk)


def own_candidate(user) -> Candidate | None:
    """The signed-in person's own candidate record, or None. Read through ``user.candidate``
    so that the page's navigation, which reads it too, finds it cached."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    try:
        return user.candidate
    except Candidate.DoesNotExist:
        return None
