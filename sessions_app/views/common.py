"""What the pages of sessions_app share: role guards and turning a refusal into a message."""

from django.contrib import messages

from accounts.access import role_required
from accounts.models import Role

from ..services import SessionError

admin_only = role_required(Role.ADMINISTRATOR)
candidate_only = role_required(Role.CANDIDATE)


def _refused(request, form):
    """An action button's form was refused: say why on the page it goes back to."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


def _act(request, call, success):
    try:
        call()
    except SessionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
