"""Who an account is: university sign-in, invitations, the study year and the disagreements.

* :func:`sign_in_from_directory` — a validated CAS sign-in: the account of that university
  account (made on the first sign-in), attached to the record with that student number (made
  by an import), never a second record; safe when two first sign-ins run at once (unique
  constraints on the CAS username, the student number and the record's account, and a retry).
* :func:`invite`, :func:`import_roster`, :func:`accept_invitation` — for the people CAS cannot
  link: a single-use, expiring link sent by email attaches the account that follows it.
* :func:`override_study_year`, :func:`check_discrepancy` — the administrator's decisions,
  audited.

Nothing here lets an account attach itself to a record from what it types (a number, a name):
only a ticket the university's CAS validated, or a link the centre sent.

One module per noun: ``university`` (the sign-in), ``invitations``, ``rosters``,
``discrepancies``, with ``common`` (``LinkingError``). This package re-exports their public
functions (``linking.invite(...)``); its modules import only their siblings.
"""

from .common import LinkingError
from .discrepancies import check_discrepancy, note_discrepancy, override_study_year
from .invitations import (
    INVITATION_SALT,
    accept_invitation,
    find_invitation,
    invitation_problem,
    invitation_token,
    invitation_url,
    invite,
    send_invitation,
)
from .rosters import RosterResult, import_roster
from .university import ATTEMPTS, sign_in_from_directory

__all__ = [
    "ATTEMPTS",
    "INVITATION_SALT",
    "LinkingError",
    "RosterResult",
    "accept_invitation",
    "check_discrepancy",
    "find_invitation",
    "import_roster",
    "invitation_problem",
    "invitation_token",
    "invitation_url",
    "invite",
    "note_discrepancy",
    "override_study_year",
    "send_invitation",
    "sign_in_from_directory",
]
