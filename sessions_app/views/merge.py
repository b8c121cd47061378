"""Merging two records of one person: choose the duplicate, see what moves, confirm."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates import search as candidate_search
from candidates.models import Candidate
from pixcentre.errors import DomainError, refused

from ..forms import CandidateSearchForm
from ..services.merge import merge_candidates, merge_plan
from .common import admin_only


def _candidate(pk):
    return get_object_or_404(Candidate.objects.select_related("user"), pk=pk)


@admin_only
@require_http_methods(["GET", "POST"])
def candidate_merge(request, pk):
    """Step 1: search the other record. Step 2 (``?autre=``): what moves, confirm (POST)."""
    kept = _candidate(pk)
    other_id = request.POST.get("autre") or request.GET.get("autre") or ""
    if other_id.isascii() and other_id.isdigit() and int(other_id) < 2**63:
        duplicate = _candidate(int(other_id))
        if request.method == "POST" and request.POST.get("confirmed") == "1":
            try:
                merge_candidates(kept, duplicate, acting_user=request.user)
            except DomainError as exc:
                refused(request, exc)
            else:
                messages.success(
                    request,
                    _("Les deux fiches n’en font plus qu’une : %(who)s.") % {"who": kept},
                )
                return redirect("candidates:detail", pk=kept.pk)
        return render(
            request,
            "sessions_app/candidate_merge_confirm.html",
            {"plan": merge_plan(kept, duplicate), "kept": kept, "duplicate": duplicate},
        )
    form = CandidateSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = None
    if query:
        found = candidate_search.search(
            Candidate.objects.select_related("user").exclude(pk=kept.pk), query
        )
        page = Paginator(candidate_search.by_name(found), 20).get_page(request.GET.get("page"))
    else:
        # Records with the same folded name are the likely duplicates.
        page = Paginator(
            Candidate.objects.select_related("user")
            .filter(sort_name=kept.sort_name)
            .exclude(pk=kept.pk)
            .order_by("pk"),
            20,
        ).get_page(1)
    return render(
        request,
        "sessions_app/candidate_merge.html",
        {"kept": kept, "query": query, "page": page},
    )
