"""The positioning profile page: the candidate's own, and one candidate's for staff."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.access import STAFF_ROLES, role_required
from accounts.models import Role
from competences import scoring
from competences.models import Competence

from .. import access
from ..models import Candidate
from ..priority import profile_advice


def _profile_context(candidate: Candidate) -> dict:
    """Everything the profile page shows. Queries: newest profile, the 16 competences, the
    preparation units (with their unit and year)."""
    max_level = settings.PIX_MAX_LEVEL
    profile = candidate.profiles.order_by("-measured_at", "-pk").first()
    competences = list(Competence.objects.order_by("code").only("code", "title_fr", "title_en"))
    titles = {c.code: c.title for c in competences}
    levels = profile.levels if profile else None
    rows = [
        {
            "code": c.code,
            "title": c.title,
            "level": (levels or {}).get(c.code, 0),
            "pix": (profile.pix if profile else {}).get(c.code, 0),
        }
        for c in competences
    ]
    enrolments = list(
        candidate.unit_enrolments.select_related("unit__academic_year").order_by(
            "unit__academic_year__start_date", "unit__semester", "unit__code"
        )
    )
    chart = {
        "labels": [r["code"] for r in rows],
        "titles": [r["title"] for r in rows],
        "levels": [r["level"] for r in rows],
        "max": max_level,
        "label": _("Niveau atteint"),
        "max_label": _("Niveau maximal"),
    }
    certifiable_count = scoring.certifiable_competences(levels.values()) if levels else 0
    return {
        "candidate": candidate,
        "profile": profile,
        "rows": rows,
        "chart": chart,
        "max_level": max_level,
        "max_score": scoring.max_score(max_level),
        "certifiable_count": certifiable_count,
        "advice": profile_advice(levels, titles, max_level=max_level),
        "enrolments": enrolments,
        "tier_reason": candidate.priority_explanation(enrolments),
    }


@role_required(Role.CANDIDATE)
def me(request):
    # Query: the candidate's own record.
    candidate = access.own_candidate(request.user)
    if candidate is None:
        return render(request, "candidates/no_candidate.html")
    return render(request, "candidates/profile.html", _profile_context(candidate))


@role_required(Role.CANDIDATE, *STAFF_ROLES)
def profile(request, pk):
    """One candidate's profile page: the candidate themselves or staff; anyone else 404."""
    candidate = access.get_candidate_for(request.user, pk)
    return render(request, "candidates/profile.html", _profile_context(candidate))
