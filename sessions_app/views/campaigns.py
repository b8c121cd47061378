"""Administrators' pages for registration campaigns and their allocation."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outbox.dispatch import enqueue
from pixcentre.confirm import ask_first
from pixcentre.errors import DomainError, refuse_form

from .. import services
from ..forms import (
    CampaignEditForm,
    CampaignForm,
)
from ..models import (
    Campaign,
    Wish,
)
from .common import admin_only

# --- administrator: campaigns -----------------------------------------------------------------


@admin_only
def campaign_list(request):
    campaigns = Campaign.objects.select_related("academic_year").annotate(
        n_sessions=Count("sessions", distinct=True),
        n_applications=Count("applications", distinct=True),
    )
    return render(request, "sessions_app/campaign_list.html", {"campaigns": campaigns})


@admin_only
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _("Campagne créée : ses sessions sont ouvertes."))
            return redirect("sessions_app:campaign", pk=campaign.pk)
    return render(request, "sessions_app/campaign_form.html", {"form": form})


@admin_only
def campaign_edit(request, pk):
    """Name, window and sessions of a campaign, until its seats are allocated."""
    campaign = get_object_or_404(Campaign.objects.select_related("academic_year"), pk=pk)
    if campaign.allocated_at:
        messages.info(
            request, _("Les places de cette campagne sont attribuées : elle ne change plus.")
        )
        return redirect("sessions_app:campaign", pk=pk)
    initial = {
        "name": campaign.name,
        "opens_at": timezone.localtime(campaign.opens_at),
        "closes_at": timezone.localtime(campaign.closes_at),
        "sessions": list(campaign.sessions.all()),
    }
    form = CampaignEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(campaign, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _("Campagne modifiée."))
            return redirect("sessions_app:campaign", pk=pk)
    return render(request, "sessions_app/campaign_form.html", {"form": form, "campaign": campaign})


APPLICATIONS_PER_PAGE = 50


@admin_only
def campaign_detail(request, pk):
    """A campaign: its sessions and its applications, a page of them at a time (a campaign of
    the whole year holds thousands)."""
    campaign = get_object_or_404(Campaign.objects.select_related("academic_year"), pk=pk)
    applications = (
        campaign.applications.select_related("candidate")
        .prefetch_related(Prefetch("wishes", queryset=Wish.objects.select_related("session__room")))
        .order_by("applied_at", "pk")
    )
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    preview = None
    if request.GET.get("preview"):
        preview = services.allocate_campaign(campaign, acting_user=request.user, dry_run=True)
    return render(
        request,
        "sessions_app/campaign_detail.html",
        {
            "campaign": campaign,
            "sessions": services.sessions_with_counts(campaign.sessions.all()),
            "applications": page,
            "page": page,
            "query": query.urlencode(),
            "preview": preview,
            "is_closed": timezone.now() >= campaign.closes_at,
        },
    )


@admin_only
@require_POST
def campaign_allocate(request, pk):
    """Enqueue the allocation job (in-process without a broker) once this request commits."""
    from ..tasks import allocate_campaign_task

    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.allocated_at:
        messages.info(request, _("Les places de cette campagne sont déjà attribuées."))
    elif timezone.now() < campaign.closes_at:
        messages.error(
            request, _("La campagne est encore ouverte : l’attribution se fait après sa clôture.")
        )
    else:
        page = ask_first(
            request,
            question=_(
                "Attribuer les places de la campagne « %(name)s » ? Chaque candidat "
                "reçoit son résultat par e-mail ; l’attribution ne se refait pas."
            )  # fmt: skip
            % {"name": campaign.name},
            confirm_label=_("Attribuer les places"),
            cancel_url=reverse("sessions_app:campaign", args=[pk]),
        )
        if page:
            return page
        enqueue(allocate_campaign_task, campaign.pk)
        messages.success(
            request, _("Attribution lancée : chaque candidat reçoit son résultat par e-mail.")
        )
    return redirect("sessions_app:campaign", pk=pk)
