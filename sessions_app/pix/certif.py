"""Files that enrol candidates in Pix Certif (formats README §2). Pure: no database, no models.

- ``export_problems`` applies every rule Pix applies to candidates (README, "Rules Pix applies
  to candidates") and reports, never fixes. Identity rules come from
  ``candidates.pix_identity.identity_problems`` so that the identity form and this export
  agree.
- ``mass_import_csv`` writes the "Créer/éditer plusieurs sessions" CSV (§2a).
- ``candidate_list_ods`` writes the "Liste des candidats" ODS of one session (§2b).

Formula injection. A CSV opened in a spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab / carriage return) as a formula. The usual guard, prefixing ``'``,
would change the value Pix imports (a birth name ``'=X`` is not ``=X``), so the writers never
alter a value: ``export_problems`` refuses such values with a clear message
(``FORMULA_PREFIXES``), and ``mass_import_csv`` raises ``UnsafeValueError`` rather than write
one, in case a caller skipped ``export_problems``. The ODS writes every text as a string cell
(``office:value-type="string"``), which a spreadsheet never evaluates, so it needs no guard;
``export_problems`` still refuses the values because the same candidate goes into the CSV and
into Pix.

Problems are ``(index, field, message)``: ``index`` is the candidate's position in the list
given, ``field`` the ``CertifCandidate`` attribute. Problems with the session itself (site,
room, invigilators… when no pre-existing session number is given) use ``SESSION_INDEX`` (-1)
and a ``CertifSession`` attribute as field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from candidates.pix_identity import ABROAD_INSEE, identity_problems, is_born_in_france

COMPLEMENTARY_LABELS = (
    "CléA Numérique",
    "Pix+ Droit",
    "Pix+ Édu 1er degré",
    "Pix+ Édu 2nd degré",
    "Pix+ Édu CPE",
    "Pix+ Pro Santé",
)
PRICING_FREE = "Gratuite"
PRICING_PAID = "Payante"
PRICING_PREPAID = "Prépayée"
PRICINGS = (PRICING_FREE, PRICING_PAID, PRICING_PREPAID)
SESSION_INDEX = -1
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

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

# §2b, exact and in order (after the row-number column).
ODS_SHEET_NAME = "Liste des candidats"
ODS_HEADER_ROW = 11
ODS_HEADERS = (
    "* Nom de naissance",
    "* Prénom",
    "* Date de naissance (format : jj/mm/aaaa)",
    "* Sexe (M ou F)",
    "Code Insee",
    "Code postal",
    "Nom de la commune",
    "Pays",
    "E-mail du destinataire des résultats (formateur, enseignant…)",
    "E-mail de convocation",
    "Identifiant local",
    "Temps majoré ?",
    "Tarification part Pix",
    "Code de prépaiement",
)


def mass_import_complementary_header(label: str) -> str:
    return f"{label} ('oui' ou laisser vide)"


def ods_complementary_header(label: str) -> str:
    return f'{label}\n("oui" ou laisser vide)'


@dataclass
class CertifCandidate:
    birth_name: str
    first_name: str
    birth_date: dt.date | None
    sex: str
    insee_code: str
    postal_code: str
    city: str
    country: str
    result_email: str
    convocation_email: str
    external_id: str
    extra_time_percent: int | None
    pricing: str
    prepaid_code: str
    complementary: str


@dataclass
class CertifSession:
    site: str
    room: str
    date: dt.date | None
    time: dt.time | None
    invigilators: list[str]
    existing_number: str
    observations: str = ""


class UnsafeValueError(ValueError):
    """A value a spreadsheet would run as a formula; ``export_problems`` reports it first."""


# identity_problems speaks the candidate model's field names; the export speaks its own.
_IDENTITY_FIELD = {
    "birth_country": "country",
    "birth_insee_code": "insee_code",
    "birth_postal_code": "postal_code",
    "birth_city": "city",
}
_TEXT_FIELDS = (
    "birth_name",
    "first_name",
    "insee_code",
    "postal_code",
    "city",
    "country",
    "result_email",
    "convocation_email",
    "external_id",
    "prepaid_code",
)


def _identity(c: CertifCandidate) -> SimpleNamespace:
    return SimpleNamespace(
        birth_name=c.birth_name,
        first_name=c.first_name,
        sex=c.sex,
        birth_date=c.birth_date,
        birth_country=c.country,
        birth_insee_code=c.insee_code,
        birth_postal_code=c.postal_code,
        birth_city=c.city,
        extra_time_percent=c.extra_time_percent,
    )


def _is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _formula_message() -> str:
    return _(
        "Cette valeur commence par =, +, -, @ ou une tabulation : un tableur l’exécuterait "
        "comme une formule. Corrigez-la avant l’export."
    )


def _complementary_labels_of(value) -> list[str]:
    """The complementary certifications a candidate asks for, however they were given."""
    if not value:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text in COMPLEMENTARY_LABELS:
        return [text]
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    return parts or [text]


def _duplicate_key(c: CertifCandidate):
    def norm(s):
        return " ".join((s or "").split()).casefold()

    return (norm(c.first_name), norm(c.birth_name), c.birth_date)


def session_problems(
    session: CertifSession, *, today: dt.date | None = None
) -> list[tuple[str, str]]:
    """What Pix would refuse in the session part of the mass import (``(field, message)``);
    with ``today``, a session in the past too."""
    problems: list[tuple[str, str]] = []
    if today is not None and session.date and session.date < today:
        problems.append(
            (
                "date",
                _(
                    "La session du %(date)s est passée : Pix refuse d’y inscrire des candidats "
                    "(SESSION_SCHEDULED_IN_THE_PAST)."
                )
                % {"date": session.date.strftime("%d/%m/%Y")},
            )
        )
    if (session.existing_number or "").strip():
        if not session.existing_number.strip().isdigit():
            problems.append(
                ("existing_number", _("Le numéro de session préexistante est un nombre."))
            )
        return problems
    if not (session.site or "").strip():
        problems.append(("site", _("Le nom du site est obligatoire.")))
    if not (session.room or "").strip():
        problems.append(("room", _("Le nom de la salle est obligatoire.")))
    if not session.date:
        problems.append(("date", _("La date de la session est obligatoire.")))
    if not session.time:
        problems.append(("time", _("L’heure de début de la session est obligatoire.")))
    invigilators = [i for i in (session.invigilators or []) if (i or "").strip()]
    if not invigilators:
        problems.append(("invigilators", _("Indiquez au moins un surveillant.")))
    for name in ("site", "room", "observations"):
        if _is_formula_like(getattr(session, name)):
            problems.append((name, _formula_message()))
    if any(_is_formula_like(i) for i in invigilators):
        problems.append(("invigilators", _formula_message()))
    return problems


def candidate_problems(
    c: CertifCandidate,
    *,
    complementary_labels: tuple[str, ...] = COMPLEMENTARY_LABELS,
    today: dt.date | None = None,
) -> list[tuple[str, str]]:
    """What Pix would refuse in one candidate (``(field, message)``), duplicates aside."""
    problems = [
        (_IDENTITY_FIELD.get(name, name), message)
        for name, message in identity_problems(_identity(c), today=today)
    ]
    for name in ("result_email", "convocation_email"):
        value = (getattr(c, name) or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                problems.append((name, _("Cette adresse e-mail n’est pas valide.")))
    pricing = (c.pricing or "").strip()
    code = (c.prepaid_code or "").strip()
    if not pricing:
        problems.append(
            (
                "pricing",
                _("La tarification part Pix est obligatoire (Gratuite, Payante ou Prépayée)."),
            )
        )
    elif pricing not in PRICINGS:
        problems.append(
            ("pricing", _("La tarification part Pix doit être Gratuite, Payante ou Prépayée."))
        )
    if pricing == PRICING_PREPAID and not code:
        problems.append(
            (
                "prepaid_code",
                _(
                    "Tarification Prépayée : le code de prépaiement est obligatoire "
                    "(par exemple SIRET/numéro de facture, 12345678912345/FACT12345)."
                ),
            )
        )
    elif pricing != PRICING_PREPAID and code:
        problems.append(
            (
                "prepaid_code",
                _("Le code de prépaiement ne se remplit que pour la tarification Prépayée."),
            )
        )
    labels = _complementary_labels_of(c.complementary)
    if len(labels) > 1:
        problems.append(
            ("complementary", _("Un candidat ne passe qu’une seule certification complémentaire."))
        )
    elif labels and labels[0] not in COMPLEMENTARY_LABELS:
        problems.append(
            (
                "complementary",
                _("Certification complémentaire inconnue : « %(label)s ».") % {"label": labels[0]},
            )
        )
    elif labels and labels[0] not in complementary_labels:
        problems.append(
            (
                "complementary",
                _("Le centre n’est pas habilité à la certification complémentaire « %(label)s ».")
                % {"label": labels[0]},
            )
        )
    for name in _TEXT_FIELDS:
        if _is_formula_like(getattr(c, name)):
            problems.append((name, _formula_message()))
    return problems


def export_problems(
    session: CertifSession,
    candidates: list[CertifCandidate],
    *,
    complementary_labels: tuple[str, ...] = COMPLEMENTARY_LABELS,
    today: dt.date | None = None,
) -> list[tuple[int, str, str]]:
    """Every rule Pix applies, as ``(candidate index, field, message)``; empty when the files
    can be sent as they are. Session problems use ``SESSION_INDEX`` (-1)."""
    problems = [(SESSION_INDEX, f, m) for f, m in session_problems(session, today=today)]
    first_seen: dict[tuple, int] = {}
    for index, c in enumerate(candidates):
        problems += [
            (index, f, m)
            for f, m in candidate_problems(
                c, complementary_labels=complementary_labels, today=today
            )
        ]
        key = _duplicate_key(c)
        if key[0] and key[1] and key[2]:
            if key in first_seen:
                problems.append(
                    (
                        index,
                        "birth_name",
                        _(
                            "Ce candidat est déjà inscrit à cette session (même nom, prénom "
                            "et date de naissance que le candidat n° %(n)s)."
                        )
                        % {"n": first_seen[key] + 1},
                    )
                )
            else:
                first_seen[key] = index
    return problems


def insee_cell(c: CertifCandidate) -> str:
    """The INSEE code as Pix wants it: ``99`` for a birth abroad, never empty (an empty one
    makes Pix refuse the whole file: CANDIDATE_FOREIGN_INSEE_CODE_NOT_VALID)."""
    insee = (c.insee_code or "").strip()
    if not insee and (c.country or "").strip() and not is_born_in_france(c.country):
        return ABROAD_INSEE
    return insee


def file_problems(items: list[tuple[CertifSession, list[CertifCandidate]]]) -> list[str]:
    """What makes Pix refuse a whole file: no candidate at all (INVALID_DOCUMENT)."""
    if not any(candidates for _session, candidates in items):
        return [
            _(
                "Aucun candidat inscrit dans ce que vous exportez : Pix refuse un fichier sans "
                "candidat. Inscrivez d’abord des candidats (ou confirmez leurs places)."
            )
        ]
    return []


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _complementary_cells(c: CertifCandidate, labels) -> list[str]:
    chosen = _complementary_labels_of(c.complementary)
    unknown = [label for label in chosen if label not in labels]
    if unknown:
        raise ValueError(
            f"Complementary certification {unknown[0]!r} is not among the columns {labels!r}; "
            "check export_problems first."
        )
    return ["oui" if label in chosen else "" for label in labels]


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


def candidate_list_ods(
    session: CertifSession,
    candidates: list[CertifCandidate],
    complementary_labels: tuple[str, ...] = COMPLEMENTARY_LABELS,
) -> bytes:
    """The §2b "Liste des candidats" ODS of one session: session block at the top, candidate
    header on row 11, candidates from row 12, first column the row number. Texts are string
    cells; extra time is a percentage cell (0.33 shown as 33 %). Dates are written as the text
    ``jj/mm/aaaa`` the header asks for (Pix converts that text), not as date cells whose
    display would depend on the spreadsheet's locale. Raises ``ValueError`` without candidates:
    Pix refuses an empty list (``file_problems``)."""
    if not candidates:
        raise ValueError("No candidate in the list: Pix refuses it (check file_problems first).")
    from odf.number import Number, PercentageStyle
    from odf.number import Text as NumberText
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import ParagraphProperties, Style, TableCellProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    percent = PercentageStyle(name="N_percent")
    percent.addElement(Number(decimalplaces="0", minintegerdigits="1"))
    percent.addElement(NumberText(text=" %"))
    doc.automaticstyles.addElement(percent)
    percent_cell = Style(name="ce_percent", family="table-cell", datastylename="N_percent")
    doc.automaticstyles.addElement(percent_cell)
    header_cell = Style(name="ce_header", family="table-cell")
    header_cell.addElement(TextProperties(fontweight="bold"))
    header_cell.addElement(TableCellProperties(wrapoption="wrap"))
    header_cell.addElement(ParagraphProperties(textalign="center"))
    doc.automaticstyles.addElement(header_cell)

    table = Table(name=ODS_SHEET_NAME)
    width = 1 + len(ODS_HEADERS) + len(complementary_labels)
    table.addElement(TableColumn(numbercolumnsrepeated=width))

    def text_cell(value, style=None):
        kwargs = {"valuetype": "string"}
        if style is not None:
            kwargs["stylename"] = style
        cell = TableCell(**kwargs)
        for line in str(value).split("\n"):
            cell.addElement(P(text=line))
        return cell

    def row_of(cells):
        row = TableRow()
        for cell in cells:
            row.addElement(cell)
        return row

    def empty():
        return TableCell()

    number = (session.existing_number or "").strip()
    invigilators = ", ".join(i.strip() for i in session.invigilators or [] if (i or "").strip())
    block = [
        ("N° de session", number),
        ("Nom du site", session.site or ""),
        ("Nom de la salle", session.room or ""),
        ("Date", _date(session.date)),
        ("Heure locale (début)", _time(session.time)),
        ("Session surveillée par :", invigilators),
    ]
    # Rows 1-2: title; rows 3-8: session block; rows 9-10: blank; row 11: header.
    table.addElement(row_of([text_cell("Liste des candidats", header_cell)]))
    table.addElement(row_of([empty()]))
    for label, value in block:
        table.addElement(
            row_of([empty(), text_cell(label, header_cell), text_cell(value) if value else empty()])
        )
    blank_rows = TableRow(numberrowsrepeated=ODS_HEADER_ROW - 1 - 2 - len(block))
    blank_rows.addElement(TableCell())  # a row holds at least one cell (ODF schema)
    table.addElement(blank_rows)
    table.addElement(
        row_of(
            [text_cell("N°", header_cell)]
            + [text_cell(h, header_cell) for h in ODS_HEADERS]
            + [text_cell(ods_complementary_header(x), header_cell) for x in complementary_labels]
        )
    )
    for n, c in enumerate(candidates, start=1):
        texts = [
            c.birth_name,
            c.first_name,
            _date(c.birth_date),
            c.sex,
            insee_cell(c),
            c.postal_code,
            c.city,
            c.country,
            c.result_email,
            c.convocation_email,
            c.external_id,
        ]
        cells = [TableCell(valuetype="float", value=str(n))]
        cells[0].addElement(P(text=str(n)))
        cells += [text_cell(v) if v else empty() for v in texts]
        if c.extra_time_percent is not None:
            extra = TableCell(
                valuetype="percentage",
                value=f"{c.extra_time_percent / 100:.2f}",
                stylename=percent_cell,
            )
            extra.addElement(P(text=f"{c.extra_time_percent} %"))
            cells.append(extra)
        else:
            cells.append(empty())
        cells += [text_cell(v) if v else empty() for v in (c.pricing, c.prepaid_code)]
        cells += [
            text_cell(v) if v else empty() for v in _complementary_cells(c, complementary_labels)
        ]
        table.addElement(row_of(cells))
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


__all__ = [
    "COMPLEMENTARY_LABELS",
    "MASS_IMPORT_HEADERS",
    "ODS_HEADERS",
    "ODS_HEADER_ROW",
    "ODS_SHEET_NAME",
    "PRICINGS",
    "SESSION_INDEX",
    "CertifCandidate",
    "CertifSession",
    "UnsafeValueError",
    "candidate_list_ods",
    "candidate_problems",
    "export_problems",
    "file_problems",
    "insee_cell",
    "mass_import_csv",
    "session_problems",
]
