from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.models import AuditEntry, Role

from . import health

HOME_TEMPLATES = {
    Role.CANDIDATE: "home/candidate.html",
    Role.INVIGILATOR: "home/invigilator.html",
    Role.ADMINISTRATOR: "home/administrator.html",
    Role.REFERENT: "home/referent.html",
}


def home(request):
    """The landing page: what to do next, for the role of whoever is signed in."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "home/anonymous.html")
    context = {}
    if user.is_candidate:
        context["candidate"] = getattr(user, "candidate", None)
    if user.is_administrator:
        from sessions_app.services.invigilation import understaffed_sessions

        context["understaffed_sessions"] = understaffed_sessions()
    return render(request, HOME_TEMPLATES[user.role], context)


@never_cache
@require_GET
def ping(request):
    """A bare page: no database, no template, no session. The ceiling of a web process
    (``benchmarks/load_registration.py`` compares the apply request with it)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def healthz(request):
    """Database, broker and worker state as JSON; 503 when the centre cannot serve."""
    data = health.report()
    return JsonResponse(data, status=503 if data["status"] == "error" else 200)


AUDIT_PAGE_SIZE = 50


@role_required(Role.ADMINISTRATOR)
def audit_log(request):
    """The audit trail, newest first, filterable by candidate, session and action."""
    entries = AuditEntry.objects.select_related("actor")
    filters = {}
    for param in ("candidate", "session"):
        value = request.GET.get(param, "").strip()
        if value.isdigit():
            entries = entries.filter(**{f"{param}_id": int(value)})
            filters[param] = value
    if action := request.GET.get("action", "").strip():
        entries = entries.filter(action=action)
        filters["action"] = action
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    return render(
        request,
        "pixcentre/audit.html",
        {"page": page, "filters": filters, "actions": actions},
    )
