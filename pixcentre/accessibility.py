"""The accessibility statement (RGAA 4.1, article 47 of the law of 11 February 2005).

The footer of every page says how conformant the site is and links to the statement; the level
follows the last audit's rate of RGAA criteria met, set in the environment
(``PIX_ACCESSIBILITY_AUDIT_DATE``, ``PIX_ACCESSIBILITY_AUDIT_RATE``). Without an audit the law
asks for « non conforme », whatever automated checks say.
"""

from urllib.parse import quote

from django.conf import settings
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

FULL, PARTIAL, NONE = "full", "partial", "none"
LABELS = {
    FULL: gettext_lazy("totalement conforme"),
    PARTIAL: gettext_lazy("partiellement conforme"),
    NONE: gettext_lazy("non conforme"),
}


def conformity(rate: float | None) -> str:
    """RGAA's three levels: every criterion met, at least half of them, or fewer (or no audit)."""
    if rate is None:
        return NONE
    if rate >= 100:
        return FULL
    return PARTIAL if rate >= 50 else NONE


def footer_context() -> dict:
    level = conformity(settings.PIX_ACCESSIBILITY_AUDIT_RATE)
    return {"accessibility_level": level, "accessibility_label": LABELS[level]}


def _report_link(page: str) -> str:
    """A mailto: link to the accessibility contact, the page concerned in subject and body."""
    subject = _("Accessibilité : problème signalé sur le %(centre)s") % {
        "centre": settings.PIX_CENTRE_NAME
    }
    body = _(
        "Page concernée : %(page)s\n\nCe que je voulais faire :\n\nCe qui m’en a empêché "
        "(et, si vous le souhaitez, le navigateur ou l’aide technique utilisés) :\n"
    ) % {"page": page or _("(précisez l’adresse de la page)")}
    return (
        f"mailto:{settings.PIX_ACCESSIBILITY_CONTACT_EMAIL}"
        f"?subject={quote(subject)}&body={quote(body)}"
    )


@require_GET
def statement(request):
    """The statement, and how to report a barrier (``?page=`` names the page concerned)."""
    page = request.GET.get("page", "")
    if not (page.startswith("/") and url_has_allowed_host_and_scheme(page, allowed_hosts=None)):
        page = ""
    page_url = request.build_absolute_uri(page) if page else ""
    return render(
        request,
        "pixcentre/accessibility.html",
        {
            "level": conformity(settings.PIX_ACCESSIBILITY_AUDIT_RATE),
            "audit_date": settings.PIX_ACCESSIBILITY_AUDIT_DATE,
            "audit_rate": settings.PIX_ACCESSIBILITY_AUDIT_RATE,
            "statement_date": settings.PIX_ACCESSIBILITY_STATEMENT_DATE,
            "contact_email": settings.PIX_ACCESSIBILITY_CONTACT_EMAIL,
            "report_link": _report_link(page_url),
            "page_url": page_url,
        },
    )
