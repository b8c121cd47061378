"""The centre's habilitations (administrators): which complementary certifications it offers."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import AuditEntry
from pixcentre.errors import DomainError, refuse_form

from ..forms import HabilitationsForm
from ..models import Complementary, habilitated_codes
from ..services import set_habilitations
from .common import admin_only

HISTORY_LENGTH = 20


@admin_only
def habilitations(request):
    """Tick the certifications Pix granted the centre. Withdrawing one asks for a confirmation
    first; the service refuses it while a coming session still offers it."""
    current = habilitated_codes()
    form = HabilitationsForm(request.POST or None, initial={"habilitations": current})
    withdrawn = []
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["habilitations"]
        withdrawn = [Complementary(c).label for c in current if c not in wanted]
        if withdrawn and request.POST.get("confirm") != "1":
            pass  # the page asks to confirm, with the boxes as ticked
        else:
            try:
                set_habilitations(wanted, acting_user=request.user)
            except DomainError as exc:
                refuse_form(form, exc)
                withdrawn = []
            else:
                messages.success(request, _("Habilitations du centre enregistrées."))
                return redirect("sessions_app:habilitations")
    history = (
        AuditEntry.objects.filter(action="habilitations_updated")
        .select_related("actor")
        .order_by("-at", "-id")[:HISTORY_LENGTH]
    )
    return render(
        request,
        "sessions_app/habilitations.html",
        {
            "form": form,
            "current": [Complementary(c).label for c in current],
            "withdrawn": withdrawn,
            "history": history,
            "tab": "habilitations",
        },
    )
