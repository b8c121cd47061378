"""The audit trail in words (``/journal/``): filters chosen by name, actions by their label,
``before``/``after`` as field labels and value labels.

It lives in ``pixcentre`` (the wiring above every app) because it reads the models of all of
them: the audited object's model gives each stored field its label and its choices.
"""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit_actions import AuditAction
from accounts.audit_actions import label as action_label
from candidates import search as candidate_search
from candidates.models import Candidate
from sessions_app.models import Session

from .filters import FilterForm

MAX_QUERY = 100


def session_label(session) -> str:
    return _("%(date)s à %(time)s, %(room)s") % {
        "date": session.date.strftime("%d/%m/%Y"),
        "time": session.start_time.strftime("%H:%M"),
        "room": session.room,
    }


class AuditFilterForm(FilterForm):
    """Every GET filter of the journal goes through here (``pixcentre.filters``): a value that
    is not one (a NUL byte, an unknown session, an action not in the catalogue) is ignored and
    shown as an error next to its field, never a 500."""

    candidate = forms.CharField(
        label=gettext_lazy("Candidat"),
        required=False,
        max_length=MAX_QUERY,
        help_text=gettext_lazy("Nom, prénom, n° d’étudiant ou e-mail"),
    )
    session = forms.TypedChoiceField(label=gettext_lazy("Session"), required=False, coerce=int)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = Session.objects.select_related("room").order_by("-date", "-start_time")
        # Chosen by date and room, compared as text: the typed value never reaches a query.
        self.fields["session"].choices = [("", _("Toutes"))] + [
            (str(s.pk), session_label(s)) for s in sessions
        ]
        self.fields["action"].choices = [("", _("Toutes"))] + sorted(
            ((a.value, a.label) for a in AuditAction), key=lambda choice: str(choice[1])
        )

    def filter(self, entries):
        """``entries`` narrowed by the valid filters (an invalid one is left out)."""
        values = self.values()
        if "candidate" in values:
            matching = candidate_search.search(Candidate.objects.all(), values["candidate"])
            entries = entries.filter(candidate_id__in=matching.values("pk"))
        if "session" in values:
            entries = entries.filter(session_id=values["session"])
        if "action" in values:
            entries = entries.filter(action=values["action"])
        return entries

    def query(self) -> str:
        """The valid filters as a query string, for the pagination links."""
        return urlencode(self.values())


def _model(label: str):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field_label(model, name: str) -> str:
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        verbose = getattr(field, "verbose_name", None)
        if verbose is None and getattr(field, "related_model", None) is not None:
            # a reverse relation (a registration's « attendance ») is named by its model
            verbose = field.related_model._meta.verbose_name
        if verbose:
            return str(verbose)
    return {"value": _("valeur")}.get(name, name.replace("_", " "))


def _value_label(model, name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        return ", ".join(_value_label(model, name, v) for v in value)
    field = None
    if model is not None:
        try:
            field = model._meta.get_field("status" if name == "value" else name)
        except FieldDoesNotExist:
            field = None
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return str(value)


def changes(entry) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each field the entry records."""
    model = _model(entry.object_type)
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    rows = []
    for name in list(before) + [n for n in after if n not in before]:
        rows.append(
            (
                _field_label(model, name),
                _value_label(model, name, before.get(name)) if name in before else "",
                _value_label(model, name, after.get(name)) if name in after else "",
            )
        )
    return rows


def describe(entries) -> list[dict]:
    """The page's entries in words: the action's label, who and what, the changes. Two
    queries whatever the page holds (its candidates, its sessions)."""
    entries = list(entries)
    candidates = Candidate.objects.in_bulk({e.candidate_id for e in entries if e.candidate_id})
    sessions = Session.objects.select_related("room").in_bulk(
        {e.session_id for e in entries if e.session_id}
    )
    rows = []
    for entry in entries:
        model = _model(entry.object_type)
        session = sessions.get(entry.session_id)
        rows.append(
            {
                "entry": entry,
                "action": action_label(entry.action),
                "object": str(model._meta.verbose_name) if model else entry.object_type,
                "candidate": candidates.get(entry.candidate_id),
                "session": session_label(session) if session else "",
                "changes": changes(entry),
            }
        )
    return rows
