"""What the invigilation modules share: the error they raise, the session statuses that need no
invigilator, the administrator check and the injected time."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import SessionStatus
from ..common import SessionError

# Sessions that no longer need (or never needed) invigilators.
INACTIVE_SESSION_STATUSES = [SessionStatus.CANCELLED]


class InvigilationError(SessionError):
    """A rule of the centre refuses the request; ``message`` is shown to the person."""


def _require_administrator(user):
    if not (user and user.is_authenticated and user.is_administrator):
        raise InvigilationError(_("Seul un gestionnaire peut faire cette opération."))


def _now(now):
    return now or timezone.now()
