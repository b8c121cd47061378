"""The Content-Security-Policy header (Django 5.2 has none of its own; 6.0 will).

The policy lets the browser run only scripts served by this site: no inline script, no event
handler attribute, no third-party origin (every asset is vendored under ``static/``). A script
injected into a page through a data field therefore does not run. Inline ``style`` attributes
stay allowed: a few layout heights and the progress bar's width use them.
"""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if policy := settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
