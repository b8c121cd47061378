"""The "Créer/éditer plusieurs sessions" CSV (formats README §2a)."""

from __future__ import annotations

import csv
import io

from .problems import file_problems
from .records import (
    COMPLEMENTARY_LABELS,
    CertifCandidate,
    CertifSession,
    UnsafeValueError,
    _complementary_cells,
    _date,
    _is_formula_like,
    _time,
    insee_cell,
)

# §2a, exact and in order.
MASS_IMPORT_HEADERS = (
    "Numéro de session préexistante",
    "* Nom du site",
    "* Nom de la salle",
    "* Date de début (format: JJ/MM/AAAA)",
    "* Heure de début (heure locale format: HH:MM)",
    "* Surveillant(s)",
    "Observations (optionnel)",
    "* Nom de naissance",
    "* Prénom",
    "* Date de naissance (format: JJ/MM/AAAA)",
    "* Sexe (M ou F)",
    "Code INSEE de la commune de naissance",
    "Code postal de la commune de naissance",
    "Nom de la commune de naissance",
    "* Pays de naissance",
    "E-mail du destinataire des résultats (formateur, enseignant…)",
    "E-mail de convocation",
    "Identifiant externe",
    "Temps majoré ? (exemple format: 33%)",
    "* Tarification part Pix (Gratuite, Prépayée ou Payante)",
    "Code de prépaiement (si Tarification part Pix Prépayée)",
)


def mass_import_complementary_header(label: str) -> str:
    return f"{label} ('oui' ou laisser vide)"


def mass_import_csv(
    items: list[tuple[CertifSession, list[CertifCandidate]]],
    complementary_labels: tuple[str, ...] = COMPLEMENTARY_LABELS,
) -> bytes:
    """The §2a CSV: UTF-8 with BOM, ``;``, one line per candidate (a session to create without
    candidates gets one line with its session columns only; a pre-existing session without
    candidates gets none). Values are written verbatim (the INSEE code of a birth abroad is
    ``99``); raises ``UnsafeValueError`` for a value a spreadsheet would run as a formula,
    ``ValueError`` for a complementary certification without a column and for a file without
    any candidate (``file_problems``)."""
    if file_problems(items):
        raise ValueError("No candidate in the file: Pix refuses it (check file_problems first).")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(
        [*MASS_IMPORT_HEADERS, *(mass_import_complementary_header(x) for x in complementary_labels)]
    )
    empty_candidate = [""] * (len(MASS_IMPORT_HEADERS) - 7 + len(complementary_labels))
    for session, candidates in items:
        number = (session.existing_number or "").strip()
        if number:
            session_cells = [number, "", "", "", "", "", ""]
        else:
            session_cells = [
                "",
                session.site or "",
                session.room or "",
                _date(session.date),
                _time(session.time),
                ", ".join(i.strip() for i in session.invigilators or [] if (i or "").strip()),
                session.observations or "",
            ]
        rows = []
        for c in candidates:
            extra = c.extra_time_percent
            rows.append(
                session_cells
                + [
                    c.birth_name or "",
                    c.first_name or "",
                    _date(c.birth_date),
                    c.sex or "",
                    insee_cell(c),
                    c.postal_code or "",
                    c.city or "",
                    c.country or "",
                    c.result_email or "",
                    c.convocation_email or "",
                    c.external_id or "",
                    f"{extra}%" if extra is not None else "",
                    c.pricing or "",
                    c.prepaid_code or "",
                    *_complementary_cells(c, complementary_labels),
                ]
            )
        if not rows and not number:
            # A session to create, without candidates yet. A session Pix already has
            # (``Numéro de session préexistante``) and no candidate: nothing to say, no line.
            rows.append(session_cells + empty_candidate)
        for row in rows:
            unsafe = [v for v in row if _is_formula_like(v)]
            if unsafe:
                raise UnsafeValueError(
                    f"Refusing to write {unsafe[0]!r}: a spreadsheet would run it as a formula."
                )
            writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")
