"""Reconciliation with Pix: who we enrolled, who went out in the Pix Certif export (and how it
was billed), who was present at roll call, which result came back and which fee was paid, side
by side for a session or a year, with every mismatch listed.

It lives in billing because fees are billing's (apps depend one way: billing reads
sessions_app, never the reverse). Everything is read in a fixed number of queries, whatever the
number of candidates (the page's test guards it):

1. the registrations of the sessions, with candidate, session and room, roll call, result, fee
   and payment (one row per registration: the one-to-one relations are joined);
2. the export lines of those registrations (the newest one per registration is what Pix has).

Both are read as plain values, not model instances: a year is about a thousand registrations
and building eight model instances for each was most of the year page's time. The rows below
(``RegistrationRow`` …) carry the columns the pages, the CSV and the mismatches read, and the
same ``get_…_display()`` as the models; a line's session is a ``Session`` instance (one per
session, its other fields deferred).

Registrations that never took a seat and left no trace (waitlisted or cancelled, never exported,
no result) are not rows: Pix never heard of them.

Mismatches (``Kind``):

* ``present_without_result``: present at roll call, no result came back from Pix;
* ``result_absent``: a result for a candidate marked absent (roll call or no-show);
* ``result_not_enrolled``: a result for a registration that is not a seat any more (cancelled,
  waitlisted) or that never went out in an export;
* ``paying_without_paid_fee``: exported « Payante » and no fee paid;
* ``external_billed_free``: an external candidate exported « Gratuite »;
* ``pix_plus_without_choice``: a complementary (Pix+, CléA) result the candidate had not chosen;
* ``prepaid_code_missing``: a fee paid by purchase order (the Pix part prepaid by an
  organisation) exported without a prepaid code, or « Prépayée » without one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.models import CandidateKind
from sessions_app.models import (
    SEAT_STATUSES,
    AttendanceStatus,
    Complementary,
    ExportedCandidate,
    Registration,
    RegistrationStatus,
    Room,
    Session,
    SessionStatus,
)

from .models import FeeStatus, PaymentMethod

PAYING = "Payante"
FREE = "Gratuite"
PREPAID = "Prépayée"
NOT_TAKEN = "Non passée"


class Kind:
    PRESENT_WITHOUT_RESULT = "present_without_result"
    RESULT_ABSENT = "result_absent"
    RESULT_NOT_ENROLLED = "result_not_enrolled"
    PAYING_WITHOUT_PAID_FEE = "paying_without_paid_fee"
    EXTERNAL_BILLED_FREE = "external_billed_free"
    PIX_PLUS_WITHOUT_CHOICE = "pix_plus_without_choice"
    PREPAID_CODE_MISSING = "prepaid_code_missing"


KIND_LABELS = {
    Kind.PRESENT_WITHOUT_RESULT: gettext_lazy("Présent sans résultat"),
    Kind.RESULT_ABSENT: gettext_lazy("Résultat pour un absent"),
    Kind.RESULT_NOT_ENROLLED: gettext_lazy("Résultat pour un candidat non inscrit"),
    Kind.PAYING_WITHOUT_PAID_FEE: gettext_lazy("« Payante » sans frais payés"),
    Kind.EXTERNAL_BILLED_FREE: gettext_lazy("Externe facturé « Gratuite »"),
    Kind.PIX_PLUS_WITHOUT_CHOICE: gettext_lazy("Résultat complémentaire non choisi"),
    Kind.PREPAID_CODE_MISSING: gettext_lazy("Code de prépaiement manquant"),
}
KINDS = tuple(KIND_LABELS)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split()).lower()


def _same_certification(result_label: str, chosen_label: str) -> bool:
    """« CléA Numérique by Pix » is the CléA Numérique a candidate chose."""
    a, b = _plain(result_label), _plain(chosen_label)
    return bool(a and b) and (a == b or a.startswith(b) or b.startswith(a))


@dataclass
class Mismatch:
    kind: str
    detail: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def _display(choices, value) -> str:
    """What ``Model.get_FOO_display()`` gives for a column with these choices."""
    return force_str(dict(choices).get(value, value), strings_only=True)


@dataclass(slots=True)
class CandidateRow:
    birth_name: str
    first_name: str
    external_id: str
    kind: str

    def get_kind_display(self) -> str:
        return _display(CandidateKind.choices, self.kind)


@dataclass(slots=True)
class RegistrationRow:
    pk: int
    status: str
    complementary: str
    candidate: CandidateRow
    session: Session

    def get_status_display(self) -> str:
        return _display(RegistrationStatus.choices, self.status)


@dataclass(slots=True)
class AttendanceRow:
    status: str


@dataclass(slots=True)
class ResultRow:
    status: str
    complementary: dict
    certification_type: str


@dataclass(slots=True)
class PaymentRow:
    method: str
    reference: str

    def get_method_display(self) -> str:
        return _display(PaymentMethod.choices, self.method)


@dataclass(slots=True)
class FeeRow:
    status: str
    payment: PaymentRow | None

    def get_status_display(self) -> str:
        return _display(FeeStatus.choices, self.status)


@dataclass(slots=True)
class ExportRow:
    pricing: str
    prepaid_code: str
    exported_at: object


@dataclass
class Line:
    registration: RegistrationRow
    exported: ExportRow | None
    attendance: AttendanceRow | None = None
    result: ResultRow | None = None
    fee: FeeRow | None = None
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def candidate(self):
        return self.registration.candidate

    @property
    def session(self):
        return self.registration.session

    @property
    def payment(self):
        return self.fee.payment if self.fee is not None else None

    @property
    def enrolled(self) -> bool:
        return self.registration.status in SEAT_STATUSES

    @property
    def present(self) -> bool | None:
        """True / False from the roll call (a no-show is absent), None when not taken."""
        if self.attendance is not None:
            return self.attendance.status == AttendanceStatus.PRESENT
        if self.registration.status == RegistrationStatus.NO_SHOW:
            return False
        return None

    @property
    def taken_complementary(self) -> list[str]:
        """Complementary certifications the result says the candidate took."""
        result = self.result
        if result is None:
            return []
        taken = [label for label, status in (result.complementary or {}).items() if status]
        taken = [label for label in taken if result.complementary[label] != NOT_TAKEN]
        kind = getattr(result, "certification_type", "") or ""
        if kind and _plain(kind) != "pix" and kind not in taken:
            taken.append(kind)
        return taken

    @property
    def chosen_complementary(self) -> str:
        code = self.registration.complementary
        return Complementary(code).label if code else ""


@dataclass
class Reconciliation:
    lines: list[Line]

    @property
    def mismatches(self) -> list[tuple[Line, Mismatch]]:
        return [(line, m) for line in self.lines for m in line.mismatches]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for _line, m in self.mismatches:
            counts[m.kind] += 1
        return counts

    @property
    def totals(self) -> dict[str, int]:
        lines = self.lines
        return {
            "enrolled": sum(1 for x in lines if x.enrolled),
            "exported": sum(1 for x in lines if x.exported is not None),
            "present": sum(1 for x in lines if x.present),
            "results": sum(1 for x in lines if x.result is not None),
            "paid": sum(1 for x in lines if x.fee is not None and x.fee.status == FeeStatus.PAID),
            "mismatches": len(self.mismatches),
        }


def mismatches_of(line: Line) -> list[Mismatch]:
    found: list[Mismatch] = []
    reg = line.registration
    result = line.result
    exported = line.exported
    fee = line.fee
    pricing = exported.pricing if exported is not None else ""
    if line.present and result is None:
        found.append(
            Mismatch(
                Kind.PRESENT_WITHOUT_RESULT,
                _("Présent à l’appel, aucun résultat reçu de Pix."),
            )
        )
    if result is not None:
        if line.present is False:
            found.append(
                Mismatch(
                    Kind.RESULT_ABSENT,
                    _("Résultat « %(status)s » pour un candidat noté absent.")
                    % {"status": result.status},
                )
            )
        if not line.enrolled:
            found.append(
                Mismatch(
                    Kind.RESULT_NOT_ENROLLED,
                    _("Résultat pour une inscription « %(status)s ».")
                    % {"status": reg.get_status_display()},
                )
            )
        elif exported is None:
            found.append(
                Mismatch(
                    Kind.RESULT_NOT_ENROLLED,
                    _("Résultat pour un candidat qui n’est parti dans aucun export Pix Certif."),
                )
            )
        chosen = line.chosen_complementary
        for label in line.taken_complementary:
            if not _same_certification(label, chosen):
                detail = (
                    _("Résultat « %(label)s », choix du candidat : « %(chosen)s ».")
                    % {"label": label, "chosen": chosen}
                    if chosen
                    else _("Résultat « %(label)s » sans certification complémentaire choisie.")
                    % {"label": label}
                )
                found.append(Mismatch(Kind.PIX_PLUS_WITHOUT_CHOICE, detail))
    if pricing == PAYING and (fee is None or fee.status != FeeStatus.PAID):
        found.append(
            Mismatch(
                Kind.PAYING_WITHOUT_PAID_FEE,
                _("Exporté « Payante », frais : %(fee)s.")
                % {"fee": fee.get_status_display() if fee is not None else _("aucun")},
            )
        )
    if pricing == FREE and line.candidate.kind == CandidateKind.EXTERNAL:
        found.append(
            Mismatch(
                Kind.EXTERNAL_BILLED_FREE,
                _("Candidat externe exporté « Gratuite » : Pix ne facturera pas sa part."),
            )
        )
    payment = line.payment
    if exported is not None:
        prepaid_by_order = (
            payment is not None
            and fee.status == FeeStatus.PAID
            and payment.method == PaymentMethod.PURCHASE_ORDER
        )
        if pricing == PREPAID and not (exported.prepaid_code or "").strip():
            found.append(
                Mismatch(
                    Kind.PREPAID_CODE_MISSING, _("Exporté « Prépayée » sans code de prépaiement.")
                )
            )
        elif prepaid_by_order and pricing != PREPAID:
            found.append(
                Mismatch(
                    Kind.PREPAID_CODE_MISSING,
                    _(
                        "Frais réglés par bon de commande (%(reference)s), exporté « %(pricing)s » "
                        "sans code de prépaiement."
                    )
                    % {"reference": payment.reference or "—", "pricing": pricing},
                )
            )
    return found


_COLUMNS = (
    "pk",
    "status",
    "complementary",
    "candidate__birth_name",
    "candidate__first_name",
    "candidate__external_id",
    "candidate__kind",
    "session_id",
    "session__date",
    "session__start_time",
    "session__academic_year_id",
    "session__status",
    "session__pix_session_number",
    "session__room_id",
    "session__room__site",
    "session__room__name",
    "attendance__status",
    "result__pk",
    "result__status",
    "result__complementary",
    "result__certification_type",
    "fee__status",
    "fee__payment__pk",
    "fee__payment__method",
    "fee__payment__reference",
)


def _registrations(sessions_filter: Q):
    return (
        Registration.objects.filter(sessions_filter)
        .exclude(session__status=SessionStatus.CANCELLED)
        .order_by(
            "session__date",
            "session__start_time",
            "session__pk",
            "candidate__birth_name",
            "candidate__first_name",
            "pk",
        )
        .values_list(*_COLUMNS)
    )


def _deferred(model, values: dict):
    """A model instance holding only ``values`` (by attname); its other fields are deferred, as
    with ``.only()``: reading one of them queries the database."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(None, fields, [values[name] for name in fields])


def _session(row, sessions: dict) -> Session:
    pk = row[7]
    session = sessions.get(pk)
    if session is None:
        session = _deferred(
            Session,
            {
                "id": pk,
                "date": row[8],
                "start_time": row[9],
                "academic_year_id": row[10],
                "status": row[11],
                "pix_session_number": row[12],
                "room_id": row[13],
            },
        )
        session.room = _deferred(Room, {"id": row[13], "site": row[14], "name": row[15]})
        sessions[pk] = session
    return session


def _reconcile(registrations) -> Reconciliation:
    rows = list(registrations)
    latest: dict[int, ExportRow] = {}
    exports = (
        ExportedCandidate.objects.filter(registration__in=[row[0] for row in rows])
        .order_by("registration_id", "exported_at", "pk")
        .values_list("registration_id", "pricing", "prepaid_code", "exported_at")
    )
    for registration_id, pricing, prepaid_code, exported_at in exports:
        latest[registration_id] = ExportRow(pricing, prepaid_code, exported_at)  # newest wins
    sessions: dict[int, Session] = {}
    lines = []
    for row in rows:
        (pk, status, complementary, birth_name, first_name, external_id, kind) = row[:7]
        exported = latest.get(pk)
        has_result = row[17] is not None
        if status not in SEAT_STATUSES and exported is None and not has_result:
            continue
        attendance_status = row[16]
        fee_status = row[21]
        line = Line(
            registration=RegistrationRow(
                pk,
                status,
                complementary,
                CandidateRow(birth_name, first_name, external_id, kind),
                _session(row, sessions),
            ),
            exported=exported,
            attendance=AttendanceRow(attendance_status) if attendance_status is not None else None,
            result=ResultRow(row[18], row[19], row[20]) if has_result else None,
            fee=(
                FeeRow(fee_status, PaymentRow(row[23], row[24]) if row[22] is not None else None)
                if fee_status is not None
                else None
            ),
        )
        line.mismatches = mismatches_of(line)
        lines.append(line)
    return Reconciliation(lines=lines)


def for_session(session) -> Reconciliation:
    return _reconcile(_registrations(Q(session=session)))


def for_year(year) -> Reconciliation:
    return _reconcile(_registrations(Q(session__academic_year=year)))


def csv_rows(rec: Reconciliation):
    """Every line with its mismatches (one line per candidate; mismatches joined)."""
    yield [
        _("Date"),
        _("Heure"),
        _("Salle"),
        _("Nom de naissance"),
        _("Prénom"),
        _("Identifiant externe"),
        _("Type de candidat"),
        _("Inscription"),
        _("Exporté (tarification)"),
        _("Code de prépaiement exporté"),
        _("Certification complémentaire choisie"),
        _("Appel"),
        _("Résultat"),
        _("Résultats complémentaires"),
        _("Frais"),
        _("Écarts"),
    ]
    for line in rec.lines:
        r = line.registration
        s = r.session
        present = line.present
        yield [
            f"{s.date:%d/%m/%Y}",
            f"{s.start_time:%H:%M}",
            str(s.room),
            line.candidate.birth_name,
            line.candidate.first_name,
            line.candidate.external_id,
            line.candidate.get_kind_display(),
            r.get_status_display(),
            line.exported.pricing if line.exported else _("Non exporté"),
            line.exported.prepaid_code if line.exported else "",
            line.chosen_complementary,
            "" if present is None else (_("Présent") if present else _("Absent")),
            line.result.status if line.result else "",
            ", ".join(f"{k} : {v}" for k, v in (line.result.complementary or {}).items())
            if line.result
            else "",
            line.fee.get_status_display() if line.fee else "",
            " | ".join(f"{m.label} — {m.detail}" for m in line.mismatches),
        ]
