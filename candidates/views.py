import csv
import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import STAFF_ROLES, role_required
from accounts.models import Role
from competences import scoring
from competences.models import Competence
from pixcentre.errors import DomainError, refused
from pixcentre.filters import uses_filters

from . import access, search, services
from .forms import CandidateFilterForm, IdentityForm, ProfileImportForm, UnitImportForm
from .models import (
    Candidate,
    PreparationUnit,
    ProfileImport,
    UnitCode,
    UnitEnrolment,
)
from .priority import profile_advice

PAGE_SIZE = 50
# The same guard as sessions_app.pix.certif.FORMULA_PREFIXES (candidates sits below
# sessions_app, so it cannot import it).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- The candidate's own pages ------------------------------------------------------------------


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


@role_required(Role.CANDIDATE)
@require_http_methods(["GET", "POST"])
def identity(request):
    candidate = access.own_candidate(request.user) or Candidate(
        birth_name=request.user.last_name, first_name=request.user.first_name
    )
    form = IdentityForm(
        request.POST or None, instance=candidate, today=timezone.localdate(), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_identity(candidate, form.cleaned_data, acting_user=request.user)
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("Votre identité est enregistrée : Pix l’acceptera."))
            # Sent here from a page that needs a candidate record: back to it.
            back = request.GET.get("next", "")
            if back.startswith("/") and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}
            ):
                return redirect(back)
            return redirect("candidates:me")
    return render(request, "candidates/identity.html", {"form": form, "candidate": candidate})


@role_required(Role.CANDIDATE)
@require_GET
def my_data(request):
    candidate = access.own_candidate(request.user)
    if candidate is None:
        data = {"compte": request.user.email, "candidat": None}
    else:
        data = services.personal_data(candidate)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-pixcentre.json"'
    return response


@role_required(Role.CANDIDATE)
@require_http_methods(["GET", "POST"])
def deletion(request):
    candidate = access.own_candidate(request.user)
    if candidate is None:
        return redirect("candidates:me")
    if request.method == "POST":
        services.request_deletion(candidate, acting_user=request.user)
        messages.success(
            request,
            _(
                "Votre demande de suppression est enregistrée : le centre anonymisera vos "
                "données, sauf celles qu’il doit garder pour une session à laquelle vous êtes "
                "inscrit(e)."
            ),
        )
        return redirect("candidates:me")
    return render(request, "candidates/deletion.html", {"candidate": candidate})


# --- Administrators: candidates ------------------------------------------------------------------


def _completed(code):
    return Exists(
        UnitEnrolment.objects.filter(
            candidate=OuterRef("pk"),
            unit__code=code,
            courses_completed__gte=F("unit__course_count"),
        )
    )


def filtered_candidates(params):
    """The candidate list filtered by the list's form; one query when evaluated."""
    form = CandidateFilterForm(params)
    qs = Candidate.objects.select_related("user").annotate(
        pix1_done=_completed(UnitCode.PIX1), pix2_done=_completed(UnitCode.PIX2)
    )
    if form.is_valid():
        d = form.cleaned_data
        qs = search.search(qs, d["q"])
        if programme := d["programme"].strip():
            qs = qs.filter(programme__icontains=programme)
        if d["study_year"]:
            qs = qs.filter(study_year=d["study_year"])
        if d["tier"] == "none":
            qs = qs.filter(priority_tier__isnull=True)
        elif d["tier"]:
            qs = qs.filter(priority_tier=int(d["tier"]))
        if d["certifiable"]:
            qs = qs.filter(is_certifiable=d["certifiable"] == "yes")
        ueo = d["ueo"]
        if ueo == "both":
            qs = qs.filter(pix1_done=True, pix2_done=True)
        elif ueo in ("pix1", "pix2"):
            qs = qs.filter(**{f"{ueo}_done": True})
        elif ueo == "none":
            qs = qs.filter(pix1_done=False, pix2_done=False)
    return form, search.by_name(qs)


@role_required(*STAFF_ROLES)
@require_GET
@uses_filters(CandidateFilterForm)
def candidate_list(request):
    form, qs = filtered_candidates(request.GET)
    # Queries: the count, then one page of candidates with their account and UEO flags.
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "candidates/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@role_required(*STAFF_ROLES)
@require_GET
@uses_filters(CandidateFilterForm)
def candidate_export(request):
    _form, qs = filtered_candidates(request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="candidats.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\n")
    writer.writerow(
        [
            _("Nom de naissance"),
            _("Prénom"),
            _("Numéro étudiant"),
            _("Type"),
            _("Année d’études"),
            _("Formation"),
            _("Pix"),
            _("Certifiable"),
            _("Niveau moyen"),
            _("UEO Pix1"),
            _("UEO Pix2"),
            _("Priorité"),
            _("Identité complète"),
        ]
    )
    for c in qs.iterator(chunk_size=2000):
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    c.birth_name,
                    c.first_name,
                    c.external_id,
                    c.get_kind_display(),
                    c.study_year,
                    c.programme,
                    c.total_pix,
                    _("Oui") if c.is_certifiable else _("Non"),
                    str(c.average_level).replace(".", ",") if c.average_level is not None else "",
                    _("Oui") if c.pix1_done else _("Non"),
                    _("Oui") if c.pix2_done else _("Non"),
                    c.priority_tier,
                    _("Oui") if c.identity_complete else _("Non"),
                )
            ]
        )
    return response


@role_required(*STAFF_ROLES)
@require_GET
def candidate_detail(request, pk):
    candidate = access.get_candidate_for(request.user, pk, Candidate.objects.select_related("user"))
    history = list(
        candidate.profiles.select_related("source_import").order_by("-measured_at", "-pk")
    )
    context = _profile_context(candidate)
    last_invitation = candidate.invitations.order_by("-created_at", "-pk").first()
    context.update(
        {
            "history": history,
            "identity_problems": candidate.identity_problems(),
            "open_discrepancies": list(candidate.discrepancies.filter(checked_at__isnull=True)),
            "last_invitation": last_invitation,
            "invite_email": candidate.convocation_email
            or (last_invitation.email if last_invitation else ""),
        }
    )
    return render(request, "candidates/detail.html", context)


def _safe_next(request) -> str | None:
    """The page to go back to (the Pix export's problem list…), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def edit_identity(request, pk):
    """An administrator corrects a candidate's identity (audited, before/after): the fix the
    Pix export's problem list links to. Pix's own rules check it, as on the candidate's page."""
    candidate = get_object_or_404(
        Candidate.objects.select_related("user"), pk=pk, anonymised_at__isnull=True
    )
    back = _safe_next(request)
    # The form works on its own copy: the service compares with the record as it was.
    form = IdentityForm(
        request.POST or None,
        instance=Candidate.objects.get(pk=pk),
        today=timezone.localdate(),
        for_staff=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_identity(candidate, form.cleaned_data, acting_user=request.user)
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(
                request,
                _("Identité de %(who)s enregistrée : Pix l’acceptera.") % {"who": candidate},
            )
            return redirect(back or reverse("candidates:detail", args=[pk]))
    return render(
        request,
        "candidates/edit_identity.html",
        {"form": form, "candidate": candidate, "next": back or ""},
    )


@role_required(Role.ADMINISTRATOR)
@require_POST
def recompute_scores(request):
    services.request_scores(None)
    messages.success(
        request, _("Le calcul des scores et des priorités de tous les candidats est lancé.")
    )
    return redirect("candidates:list")


# --- Administrators: imports ----------------------------------------------------------------------


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def imports(request):
    form = ProfileImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        profile_import = services.start_profile_import(
            data=form.data_bytes,
            file_name=form.cleaned_data["file"].name,
            acting_user=request.user,
        )
        return redirect("candidates:import_detail", pk=profile_import.pk)
    # Query: one page of the history with who uploaded each file.
    history = Paginator(
        ProfileImport.objects.select_related("uploaded_by").defer("error_report", "warnings"), 30
    ).get_page(request.GET.get("page"))
    return render(request, "candidates/imports.html", {"form": form, "history": history})


@role_required(Role.ADMINISTRATOR)
@require_GET
def import_detail(request, pk):
    profile_import = get_object_or_404(ProfileImport.objects.select_related("uploaded_by"), pk=pk)
    return render(
        request,
        "candidates/import_detail.html",
        {
            "import": profile_import,
            "progress": services.import_progress(profile_import),
            "progress_url": reverse("candidates:import_progress", args=[pk]),
        },
    )


@never_cache
@role_required(Role.ADMINISTRATOR)
@require_GET
def import_progress(request, pk):
    profile_import = get_object_or_404(
        ProfileImport.objects.defer("error_report", "warnings"), pk=pk
    )
    return JsonResponse(services.import_progress(profile_import))


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def units(request):
    form = UnitImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.import_unit_enrolments(
            form.data_bytes,
            academic_year=form.cleaned_data["academic_year"],
            semester=form.cleaned_data["semester"],
            acting_user=request.user,
        )
        if result.ok:
            messages.success(
                request,
                _(
                    "UEO importées : %(c)s inscriptions créées, %(u)s mises à jour, "
                    "%(n)s inchangées."
                )
                % {"c": result.created, "u": result.updated, "n": result.unchanged},
            )
            return redirect("candidates:units")
    # Query: the units with their enrolment and completion counts.
    unit_list = PreparationUnit.objects.select_related("academic_year").annotate(
        enrolled=Count("enrolments"),
        completed=Count(
            "enrolments", filter=Q(enrolments__courses_completed__gte=F("course_count"))
        ),
    )
    return render(
        request, "candidates/units.html", {"form": form, "result": result, "units": unit_list}
    )
