"""The site's URLs plus ``/_bench/noop/`` (see benchmarks/settings.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_POST

from pixcentre.urls import urlpatterns as site


@login_required
@require_POST
def noop(request):
    """What every authenticated POST pays before a view does anything: session, user, CSRF,
    every middleware; then the same redirect the apply view answers with."""
    return HttpResponseRedirect("/sessions/mon-inscription/")


urlpatterns = [path("_bench/noop/", noop, name="bench_noop"), *site]
