from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role

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
    return render(request, HOME_TEMPLATES[user.role], context)


@never_cache
@require_GET
def healthz(request):
    """Database, broker and worker state as JSON; 503 when the centre cannot serve."""
    data = health.report()
    return JsonResponse(data, status=503 if data["status"] == "error" else 200)
