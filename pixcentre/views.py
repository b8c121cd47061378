from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.models import AuditEntry, Role

from . import health, journal
from .filters import uses_filters

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
        context.update(administrator_home())
    if user.is_invigilator:
        from sessions_app.services.invigilation import assignment_clashes

        context["my_clashes"] = assignment_clashes(invigilator=user)
    return render(request, HOME_TEMPLATES[user.role], context)


def administrator_home() -> dict:
    """The counts that matter now (sessions_app.services.overview), the sessions short of
    invigilators, the assignments an unavailability clashes with and the external candidates'
    unpaid fees."""
    from django.db.models import Count, Sum

    from billing.models import Fee, FeeStatus
    from sessions_app.services.invigilation import assignment_clashes, understaffed_sessions
    from sessions_app.services.overview import admin_overview

    unpaid = Fee.objects.filter(status=FeeStatus.DUE).aggregate(n=Count("id"), total=Sum("amount"))
    return {
        "overview": admin_overview(),
        "understaffed_sessions": understaffed_sessions(),
        # An invigilator declared unavailable after being assigned (three queries).
        "assignment_clashes": assignment_clashes(),
        "unpaid_fees": unpaid["n"],
        "unpaid_total": unpaid["total"],
    }


@never_cache
def backoffice_login(request):
    """The back office's login page sends everyone to the site's own sign-in (allauth).

    Django admin's login form had no rate limit at all (40 wrong passwords in 23 s, then the
    right one worked); allauth's has the site's limits and its per-address lockout
    (``ACCOUNT_RATE_LIMITS``, ``accounts.adapters``). One door, one set of limits. Nothing is
    authenticated here, whatever the method: a POST of credentials is redirected like a GET.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        raise PermissionDenied  # signed in, but the back office is for superusers only
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


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
@uses_filters(journal.AuditFilterForm)
def audit_log(request):
    """The audit trail, newest first, in words (``pixcentre/journal.py``): filters by
    candidate name, session and action label, each change as field labels and values."""
    form = journal.AuditFilterForm(request.GET)
    entries = form.filter(AuditEntry.objects.select_related("actor"))
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pixcentre/audit.html",
        {"page": page, "rows": journal.describe(page), "form": form, "query": form.query()},
    )
