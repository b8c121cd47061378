"""A confirmation step before an irreversible action, working without JavaScript.

A POST view calls ``ask_first(request, question=…)`` before acting: without ``confirmed=1`` in
the POST it answers a page that says what will happen and re-posts the same fields with
``confirmed=1`` (its « Confirmer » button) or goes back (« Annuler »). ``static/js/confirm.js``
is no longer needed for these: the page is the confirmation.
"""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

SKIPPED = {"csrfmiddlewaretoken", "confirmed"}


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirmed") == "1"


def ask_first(
    request,
    *,
    question: str,
    details=(),
    confirm_label: str,
    cancel_url: str,
    danger: bool = False,
):
    """The confirmation page for the POST being made, or None when it is confirmed."""
    if confirmed(request):
        return None
    if not url_has_allowed_host_and_scheme(cancel_url, allowed_hosts={request.get_host()}):
        cancel_url = "/"
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in SKIPPED
        for value in values
    ]
    return render(
        request,
        "partials/confirm_page.html",
        {
            "question": question,
            "details": list(details),
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "danger": danger,
            "fields": fields,
            "action": request.get_full_path(),
        },
    )
