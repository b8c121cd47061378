"""Invigilators: staffing, availability, suggestions, assignments, an invigilator's schedule,
clashes and the invigilator's emails, one module each, re-exported here
(``from sessions_app.services.invigilation import assign_invigilator``).

Staffing follows ``staffing.py`` (one invigilator per started block of
``PIX_CANDIDATES_PER_INVIGILATOR`` confirmed candidates, ``PIX_INVIGILATION_MINUTES`` each, plus
``PIX_EXTRA_TIME_EXTENSION_MINUTES`` when a confirmed candidate has extra time — the core
case, scaled to the longest test of the session's candidates: 45 min for Pix+ Droit and Pro
Santé, 1 h 30 for Pix+ Édu). An invigilator
is busy from the start of a session for those minutes: two assignments whose windows overlap
are refused, and so is an assignment during a declared unavailability.

Public entries are ``transaction.atomic(durable=True)``, take a keyword-only ``acting_user`` and
``now=`` (injected time), write the audit trail (``accounts.audit.record``) and raise
:class:`InvigilationError` with a French message.
"""

from .assignments import assign_invigilator, is_assigned, schedule_of, unassign_invigilator
from .availability import (
    busy_window,
    conflicting_session,
    declare_period,
    delete_period,
    is_available,
    unavailability,
)
from .clashes import Clash, assignment_clashes, clashes_of_period
from .common import INACTIVE_SESSION_STATUSES, InvigilationError
from .notifications import (
    build_assignment_ics,
    build_cancellation_ics,
    notify_assignment,
    notify_unassignment,
)
from .staffing import Staffing, session_staffing, understaffed_sessions, with_staffing
from .suggestions import Suggestion, minutes_this_year, suggest_invigilators

__all__ = [
    "INACTIVE_SESSION_STATUSES",
    "Clash",
    "InvigilationError",
    "Staffing",
    "Suggestion",
    "assign_invigilator",
    "assignment_clashes",
    "build_assignment_ics",
    "build_cancellation_ics",
    "busy_window",
    "clashes_of_period",
    "conflicting_session",
    "declare_period",
    "delete_period",
    "is_assigned",
    "is_available",
    "minutes_this_year",
    "notify_assignment",
    "notify_unassignment",
    "schedule_of",
    "session_staffing",
    "suggest_invigilators",
    "unassign_invigilator",
    "unavailability",
    "understaffed_sessions",
    "with_staffing",
]
