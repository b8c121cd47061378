"""Reading the preparation units file (UEO Pix1 / Pix2): one line per student and unit.

Columns, matched by name: ``Numéro étudiant;UEO;Parcours validés`` (``;`` separator, UTF-8,
BOM allowed). Unit: ``Pix1`` / ``Pix2`` (``UEO Pix1`` accepted); courses: a whole number from
0 to 7. Pure: problems are reported as (line, column, value, reason), like the Pix exports.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .pix.profiles import Problem, normalise, unguard

COL_NUMBER = "Numéro étudiant"
COL_UNIT = "UEO"
COL_COURSES = "Parcours validés"
COURSE_COUNT = 7
UNIT_RE = re.compile(r"^(?:ueo\s*)?pix\s*([12])$", re.IGNORECASE)


class NotAUnitFile(ValueError):
    """Not the expected file; one sentence."""


@dataclass(frozen=True)
class UnitRow:
    line: int
    student_number: str
    unit: str  # pix1 / pix2
    unit_label: str
    courses: int


def write_unit_enrolments(rows: list[tuple[str, str, int]]) -> bytes:
    lines = [";".join([COL_NUMBER, COL_UNIT, COL_COURSES])]
    lines += [f"{number};{unit};{courses}" for number, unit, courses in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def parse_unit_enrolments(data: bytes) -> tuple[list[UnitRow], list[Problem]]:
    if not data or not data.strip():
        raise NotAUnitFile(_("Le fichier est vide."))
    if b"\x00" in data[:4096]:
        raise NotAUnitFile(_("Le fichier est binaire : déposez un fichier CSV."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotAUnitFile(_("Le fichier n’est pas encodé en UTF-8.")) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        return _parse_rows(reader)
    except csv.Error:
        raise NotAUnitFile(
            _(
                "Le fichier n’est pas un CSV lisible vers la ligne %(line)s (guillemets ou "
                "cellule trop longue)."
            )
            % {"line": reader.line_num}
        ) from None


def _parse_rows(reader) -> tuple[list[UnitRow], list[Problem]]:
    header = [normalise(unguard(h.strip())) for h in next(reader, [])]
    wanted = {name: normalise(name) for name in (COL_NUMBER, COL_UNIT, COL_COURSES)}
    missing = [name for name, norm in wanted.items() if norm not in header]
    if missing:
        raise NotAUnitFile(
            _(
                "Colonnes attendues, séparées par des points-virgules : %(cols)s "
                "(manquantes : %(missing)s)."
            )
            % {"cols": " ; ".join(wanted), "missing": ", ".join(missing)}
        )
    idx = {name: header.index(norm) for name, norm in wanted.items()}
    rows, problems, seen = [], [], {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            problems.append(
                Problem(line, _("(ligne entière)"), ";".join(cells), _("Colonnes manquantes."))
            )
            continue
        number = unguard(cells[idx[COL_NUMBER]].strip())
        unit_label = cells[idx[COL_UNIT]].strip()
        courses_text = cells[idx[COL_COURSES]].strip()
        bad = False
        if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", number):
            problems.append(
                Problem(line, COL_NUMBER, number, _("Numéro étudiant absent ou invalide."))
            )
            bad = True
        m = UNIT_RE.match(unit_label)
        if not m:
            problems.append(
                Problem(line, COL_UNIT, unit_label, _("Unité attendue : Pix1 ou Pix2."))
            )
            bad = True
        if not re.fullmatch(r"[0-9]{1,3}", courses_text) or int(courses_text) > COURSE_COUNT:
            problems.append(
                Problem(
                    line,
                    COL_COURSES,
                    courses_text,
                    _("Nombre de parcours validés attendu : un nombre entier de 0 à 7."),
                )
            )
            bad = True
        if bad:
            continue
        unit = f"pix{m.group(1)}"
        if (number, unit) in seen:
            problems.append(
                Problem(
                    line,
                    COL_NUMBER,
                    number,
                    _("Ce numéro figure déjà pour cette unité à la ligne %(first)s.")
                    % {"first": seen[(number, unit)]},
                )
            )
            continue
        seen[(number, unit)] = line
        rows.append(UnitRow(line, number, unit, unit_label, int(courses_text)))
    if not rows and not problems:
        raise NotAUnitFile(_("Le fichier ne contient aucune ligne après l’en-tête."))
    return rows, problems
