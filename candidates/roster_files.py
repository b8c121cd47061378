"""Reading a roster of students to invite: what Apogée or Pégase can extract.

Columns, matched by name (``;`` or ``,`` separator, UTF-8, BOM allowed):
``Numéro étudiant;E-mail;Année d’études`` — the last one optional (``L3``, ``M1``,
``{SUPANN}M2``…). Pure: problems are reported as (line, column, value, reason), like the Pix
exports, and the caller imports nothing when there is one.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from . import directory
from .pix.profiles import Problem, normalise, unguard

COL_NUMBER = "Numéro étudiant"
COL_EMAIL = "E-mail"
COL_YEAR = "Année d’études"
HEADERS = {
    COL_NUMBER: ("numero etudiant", "numero d’etudiant", "n° etudiant", "supannetuid"),
    COL_EMAIL: ("e-mail", "email", "courriel", "mail", "adresse e-mail"),
    COL_YEAR: ("annee d’etudes", "annee", "niveau", "supannetucursusannee"),
}
MAX_ROWS = 20000


class NotARoster(ValueError):
    """Not the expected file; one sentence."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    student_number: str
    email: str
    study_year: str  # a StudyYear value or ""


def write_roster(rows: list[tuple[str, str, str]]) -> bytes:
    lines = [";".join([COL_NUMBER, COL_EMAIL, COL_YEAR])]
    lines += [";".join(row) for row in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def _plain(name: str) -> str:
    text = unicodedata.normalize("NFD", normalise(name))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def parse_roster(data: bytes) -> tuple[list[RosterRow], list[Problem]]:
    if not data or not data.strip():
        raise NotARoster(_("Le fichier est vide."))
    if b"\x00" in data:
        raise NotARoster(_("Le fichier est binaire : déposez un fichier CSV."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotARoster(_("Le fichier n’est pas encodé en UTF-8.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _parse(reader)
    except csv.Error:
        raise NotARoster(
            _("Le fichier n’est pas un CSV lisible vers la ligne %(line)s.")
            % {"line": reader.line_num}
        ) from None


def _parse(reader) -> tuple[list[RosterRow], list[Problem]]:
    header = next(reader, None) or []
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        plain = _plain(cell)
        for column, aliases in HEADERS.items():
            if plain in aliases and column not in positions:
                positions[column] = index
    missing = [c for c in (COL_NUMBER, COL_EMAIL) if c not in positions]
    if missing:
        raise NotARoster(
            _(
                "Colonnes attendues : « %(expected)s » (et, si vous l’avez, « %(year)s ») ; "
                "manquante(s) : %(missing)s."
            )
            % {
                "expected": f"{COL_NUMBER} ; {COL_EMAIL}",
                "year": COL_YEAR,
                "missing": ", ".join(f"« {m} »" for m in missing),
            }
        )
    rows: list[RosterRow] = []
    problems: list[Problem] = []
    seen_numbers: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            raise NotARoster(_("Le fichier dépasse %(n)s lignes.") % {"n": MAX_ROWS})

        def cell(column, cells=cells):
            index = positions.get(column)
            return unguard(cells[index].strip()) if index is not None and index < len(cells) else ""

        number, email, year_text = cell(COL_NUMBER), cell(COL_EMAIL).lower(), cell(COL_YEAR)
        bad = False
        if not number:
            problems.append(Problem(line, COL_NUMBER, "", _("Numéro étudiant manquant.")))
            bad = True
        elif not directory.STUDENT_NUMBER.match(number):
            problems.append(Problem(line, COL_NUMBER, number[:40], _("Numéro étudiant illisible.")))
            bad = True
        elif number in seen_numbers:
            problems.append(
                Problem(
                    line,
                    COL_NUMBER,
                    number,
                    _("Ce numéro étudiant figure déjà ligne %(line)s.")
                    % {"line": seen_numbers[number]},
                )
            )
            bad = True
        else:
            seen_numbers[number] = line
        try:
            if not email:
                raise ValidationError("empty")
            validate_email(email)
        except ValidationError:
            problems.append(
                Problem(line, COL_EMAIL, email[:80], _("Adresse e-mail manquante ou invalide."))
            )
            bad = True
        year = ""
        if year_text:
            try:
                year = directory.study_year([year_text])
            except directory.DirectoryError:
                problems.append(
                    Problem(
                        line,
                        COL_YEAR,
                        year_text[:20],
                        _("Année d’études inconnue : L1, L2, L3, M1, M2 ou D attendu."),
                    )
                )
                bad = True
        if not bad:
            rows.append(RosterRow(line, number, email, year))
    if not rows and not problems:
        raise NotARoster(_("Le fichier ne contient aucune ligne d’étudiant."))
    return rows, problems
