"""What the pages of sessions_app share: role guards and a refused action form as messages.

A refused service call is shown by ``pixcentre.errors`` (``act``, ``refused``, ``refuse_form``).
"""

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.models import Role
from pixcentre.text import with_colon

admin_only = role_required(Role.ADMINISTRATOR)
candidate_only = role_required(Role.CANDIDATE)


def candidate_required(view):
    """A candidate's own pages (offer, registration, convocations, results). A new account has
    no candidate record until its identity form is filled: it is sent to that form with a
    sentence saying why (then back here), never a 404 from its own menu."""

    @candidate_only
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request.user, "candidate", None) is None:
            messages.info(
                request,
                _(
                    "Indiquez d’abord votre identité telle que Pix la demande : vous pourrez "
                    "ensuite vous inscrire à une session et suivre votre inscription, vos "
                    "convocations et vos résultats."
                ),
            )
            # A GET page is where to come back; a refused POST comes back to the offer.
            back = (
                request.get_full_path()
                if request.method == "GET"
                else reverse("sessions_app:offer")
            )
            return redirect(f"{reverse('candidates:identity')}?{urlencode({'next': back})}")
        return view(request, *args, **kwargs)

    return wrapper


def _refused(request, form):
    """An action button's form was refused: say why on the page it goes back to."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, with_colon(label, error) if label else error)
