"""The staff's candidate list, its CSV export, one candidate's page, the scores recomputed."""

import csv
import datetime as dt
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import STAFF_ROLES, role_required
from accounts.models import Role
from pixcentre.filters import uses_filters

from .. import access, pix_identity, search, services
from ..forms import CandidateFilterForm
from ..models import Candidate, CandidateKind, UnitCode, UnitEnrolment
from .common import PAGE_SIZE
from .profiles import _profile_context

# The same guard as sessions_app.pix.certif.FORMULA_PREFIXES (candidates sits below
# sessions_app, so it cannot import it).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


EXPORT_FIELDS = (
    "birth_name",
    "first_name",
    "external_id",
    "kind",
    "study_year",
    "programme",
    "total_pix",
    "is_certifiable",
    "average_level",
    "priority_tier",
    # pix_identity.identity_problems
    "sex",
    "birth_date",
    "birth_country",
    "birth_insee_code",
    "birth_postal_code",
    "birth_city",
    "extra_time_percent",
)


@role_required(*STAFF_ROLES)
@require_GET
@uses_filters(CandidateFilterForm)
def candidate_export(request):
    _form, qs = filtered_candidates(request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="candidats.csv"'
    out = io.StringIO()  # written once: HttpResponse.write encodes every row on its own
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
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
    yes, no = _("Oui"), _("Non")  # translated once, not per row
    kinds = {value: str(label) for value, label in CandidateKind.choices}
    today = dt.date.today()
    # Only the columns written (and those identity_complete reads), as named tuples: building
    # 10,000 candidates with their account was a third of the export's time.
    rows = qs.select_related(None).values_list(*EXPORT_FIELDS, "pix1_done", "pix2_done", named=True)
    for c in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    c.birth_name,
                    c.first_name,
                    c.external_id,
                    kinds.get(c.kind, c.kind),
                    c.study_year,
                    c.programme,
                    c.total_pix,
                    yes if c.is_certifiable else no,
                    str(c.average_level).replace(".", ",") if c.average_level is not None else "",
                    yes if c.pix1_done else no,
                    yes if c.pix2_done else no,
                    c.priority_tier,
                    yes if pix_identity.identity_complete(c, today=today) else no,
                )
            ]
        )
    response.write(out.getvalue())
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


@role_required(Role.ADMINISTRATOR)
@require_POST
def recompute_scores(request):
    services.request_scores(None)
    messages.success(
        request, _("Le calcul des scores et des priorités de tous les candidats est lancé.")
    )
    return redirect("candidates:list")
