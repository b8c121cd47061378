"""Site-wide middleware.

``ContentSecurityPolicyMiddleware``: the Content-Security-Policy header (Django 5.2 has none of
its own; 6.0 will).

The policy lets the browser run only scripts served by this site: no inline script, no event
handler attribute, no third-party origin (every asset is vendored under ``static/``). A script
injected into a page through a data field therefore does not run. Inline ``style`` attributes
stay allowed: a few layout heights and the progress bar's width use them.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if policy := settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", with_cas_origin(policy))
        return response


def with_cas_origin(policy: str) -> str:
    """Signing out of a university account posts here and is redirected to the CAS server,
    which ``form-action`` must allow: its origin is added when ``CAS_SERVER_URL`` is set."""
    from urllib.parse import urlsplit

    parts = urlsplit(getattr(settings, "CAS_SERVER_URL", "") or "")
    if not (parts.scheme and parts.netloc):
        return policy
    origin = f"{parts.scheme}://{parts.netloc}"
    directives = [d.strip() for d in policy.split(";")]
    for i, directive in enumerate(directives):
        if directive.split(" ", 1)[0] == "form-action" and origin not in directive.split():
            directives[i] = f"{directive} {origin}"
    return "; ".join(d for d in directives if d)


class DatabaseUnavailableMiddleware:
    """The database cannot be reached (restarting, failing over, locked): a short page that says
    so with 503 and ``Retry-After``, instead of the generic error page. Nothing the person had
    committed is lost (docs/reliability.md); what they just sent was not saved, and the page
    says to send it again. The page needs no database: no user, no session, no menu."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable on %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
