"""Downloads: the GIP Pix statement for a period and the referent's yearly report, as CSV and
PDF. Rendered on demand (they are read-only views of the figures at the time of download, not
documents handed to someone, so nothing is stored).

CSV cells are safe against formula injection: a text cell starting with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return) gets a leading ``'``. Amounts are written by us with a
decimal comma, never through that filter, so a negative balance stays a number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from pixcentre import pdf
from sessions_app.models import Audience, SessionStatus
from sessions_app.pix.certif import FORMULA_PREFIXES

from .models import Fee, FeeStatus


def safe_text(value) -> str:
    """A cell a spreadsheet will not run as a formula (``pix_certif.FORMULA_PREFIXES``)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def amount_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def cell(value) -> str:
    if isinstance(value, Decimal):
        return amount_text(value)
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    return safe_text(value)


def to_csv(rows) -> bytes:
    """Semicolon-separated UTF-8 with a BOM: what a French spreadsheet opens directly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_pdf(template: str, context: dict) -> bytes:
    context = {"centre_name": settings.PIX_CENTRE_NAME, **context}
    with translation.override("fr"):
        html = render_to_string(template, context)
    return pdf.write_pdf(html)


# --- GIP Pix statement ------------------------------------------------------------------------


@dataclass
class GipStatement:
    start: object
    end: object
    fees: list
    total_paid: Decimal
    total_owed: Decimal

    @property
    def count(self) -> int:
        return len(self.fees)


def gip_statement(start, end) -> GipStatement:
    """Paying candidates whose session took place in [start, end] and what the GIP is owed.

    Paid fees only (refunded or waived fees are not "paying"), in sessions that were not
    cancelled; staff sessions owe nothing to the GIP. Each fee carries the GIP share of its
    year's parameters (10 € by default), fixed when the fee became due.
    """
    fees = list(
        Fee.objects.filter(
            status=FeeStatus.PAID,
            registration__session__date__gte=start,
            registration__session__date__lte=end,
        )
        .exclude(registration__session__status=SessionStatus.CANCELLED)
        .exclude(registration__session__audience=Audience.STAFF)
        .select_related(
            "registration__candidate", "registration__session", "payment__receipt__year"
        )
        .order_by(
            "registration__session__date",
            "registration__session__start_time",
            "registration__candidate__birth_name",
            "registration__candidate__first_name",
        )
    )
    return GipStatement(
        start=start,
        end=end,
        fees=fees,
        total_paid=sum((fee.payment.amount for fee in fees), Decimal("0.00")),
        total_owed=sum((fee.gip_share for fee in fees), Decimal("0.00")),
    )


def gip_statement_rows(statement: GipStatement):
    yield [
        _("Date de session"),
        _("Nom de naissance"),
        _("Prénom"),
        _("N° de reçu"),
        _("Payé le"),
        _("Frais payés (€)"),
        _("Part due au GIP Pix (€)"),
    ]
    for fee in statement.fees:
        registration = fee.registration
        yield [
            f"{registration.session.date:%d/%m/%Y}",
            registration.candidate.birth_name,
            registration.candidate.first_name,
            fee.payment.receipt.display_number,
            f"{fee.payment.paid_on:%d/%m/%Y}",
            fee.payment.amount,
            fee.gip_share,
        ]
    yield [
        _("Total"),
        _("%(count)s candidat(s) payant(s)") % {"count": statement.count},
        "",
        "",
        "",
        statement.total_paid,
        statement.total_owed,
    ]


# --- The referent's yearly report -------------------------------------------------------------


def reconciliation_rows(counts: dict | None):
    """The reconciliation with Pix, counted by kind of mismatch (billing/reconciliation.py)."""
    if counts is None:
        return
    from .reconciliation import KIND_LABELS, KINDS

    yield [_("Rapprochement avec Pix : écarts"), sum(counts.values())]
    for kind in KINDS:
        yield [str(KIND_LABELS[kind]), counts.get(kind, 0)]


def year_report_rows(board, reconciliation_counts: dict | None = None):
    yield [_("Rapport annuel du centre de certification Pix"), str(board.year)]
    yield [_("Établi le"), f"{board.today:%d/%m/%Y}"]
    yield []
    yield [_("Indicateur"), _("Valeur")]
    for label, value in year_report_figures(board):
        yield [label, value]
    yield []
    if reconciliation_counts is not None:
        yield from reconciliation_rows(reconciliation_counts)
        yield []
    yield [
        _("Date"),
        _("Heure"),
        _("Salle"),
        _("Public"),
        _("Statut"),
        _("Places"),
        _("Inscrits"),
        _("Taux de remplissage (%)"),
        _("Certifiés"),
        _("Surveillants"),
        _("Minutes payées"),
        _("Coût (€)"),
        _("Candidats payants"),
        _("Frais perçus (€)"),
        _("Part GIP (€)"),
    ]
    for s in board.sessions:
        yield [
            f"{s.date:%d/%m/%Y}",
            f"{s.start_time:%H:%M}",
            s.room,
            s.get_audience_display(),
            s.get_status_display(),
            s.capacity,
            s.seats,
            s.fill_rate,
            s.certified,
            s.invigilators,
            s.paid_minutes,
            s.cost,
            s.paying,
            s.gross,
            s.gip,
        ]
    yield []
    yield [_("Mois"), _("Coûts prévus (€)"), _("Coûts réalisés (€)"), _("Recettes nettes (€)")]
    for m in board.months:
        yield [
            f"{m.start:%m/%Y}",
            m.planned_total,
            "" if m.future else m.actual_total,
            m.net,
        ]


def year_report_figures(board) -> list[tuple[str, object]]:
    f = board.figures
    return [
        (_("Sessions passées"), f["sessions_held"]),
        (_("Sessions prévues"), f["sessions_planned"]),
        (_("Sessions annulées"), f["sessions_cancelled"]),
        (_("Candidats certifiés (résultats « Validée »)"), f["candidates_certified"]),
        (_("Candidats présents"), f["candidates_present"]),
        (_("Taux de remplissage (%)"), f["fill_rate"]),
        (_("Heures de surveillance réalisées"), f["invigilator_hours"]),
        (_("Heures de surveillance prévues"), f["planned_invigilator_hours"]),
        (_("Coûts à date (€)"), f["costs_to_date"]),
        (_("dont coûts variables (€)"), f["variable_to_date"]),
        (_("dont coûts fixes (€)"), f["fixed_to_date"]),
        (_("Coûts prévus sur l’année (€)"), f["plan_total"]),
        (_("Coût par candidat certifié (€)"), f["cost_per_certified"]),
        (_("Candidats payants"), f["paying_candidates"]),
        (_("Recettes des candidats externes (€)"), f["external_revenue"]),
        (_("Part due au GIP Pix (€)"), f["gip_share"]),
        (_("Solde net (€)"), f["net_balance"]),
    ]
