"""Reading the Pix Certif certification results export (formats README §3). Pure: no database.

``parse_results(data)`` returns a ``ResultsFile`` whose every line is valid, or raises:

- ``NotAResultsFile`` when the bytes are not a Pix results export at all (empty, binary, not
  UTF-8, another separator, a required column missing, no result line). Its message is one
  French sentence for the person who uploaded the file.
- ``ResultsFileError`` when it is a results export but some lines are wrong. It carries every
  ``Problem`` (line, column, value, French reason) and **no line is returned**: a partial
  import of results would leave a session half-recorded, so it is all or nothing.

Both derive from ``PixResultsError`` (a ``ValueError``), so a caller can catch them together.

What is accepted:

- UTF-8 with or without BOM, ``;`` separator, quoted or bare strings, ``\\n`` or ``\\r\\n``.
- Headers matched by name, not position (case, surrounding spaces and the ``’``/``'`` apostrophe
  are ignored); unknown columns are ignored.
- The classic header (``Nombre de Pix``) and the 2026 variant (``Type de certification``,
  ``Niveau`` and ``Score en pix``).
- ``Certification <label>`` columns for complementary certifications; an empty cell there means
  the candidate was not concerned and is left out of ``ResultLine.complementary``.
- The competence columns ``1.1`` … ``5.2``: all of them, or none (``competence_levels`` is
  then empty).
- A text cell starting with ``'`` followed by ``=``, ``+``, ``-`` or ``@`` is Pix's formula
  guard: the ``'`` is stripped, as for the Pix Orga export (README §1).

Checks on each line: status among Pix's five, complementary outcomes among Pix's four, score
(``Nombre de Pix`` / ``Score en pix``) a whole number from 0 to ``max_score(max_level)`` or
``-``, ``Niveau`` and competence levels from 0 to ``max_level`` or ``-``, dates ``DD/MM/YYYY``,
certification and session numbers made of digits, names present, the number of cells equal to
the header's, and no certification number twice in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from competences import scoring

STATUSES = ("Validée", "Rejetée", "Annulée", "En erreur", "Démarrée")
COMPLEMENTARY_STATUSES = ("Validée", "Rejetée", "Annulée", "Non passée")
COMPETENCE_CODES = (
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "5.1", "5.2",
)  # fmt: skip
NOT_TESTED = "-"
VARIANT_CLASSIC = "classic"
VARIANT_2026 = "2026"

COL_NUMBER = "Numéro de certification"
COL_FIRST_NAME = "Prénom"
COL_LAST_NAME = "Nom"
COL_BIRTH_DATE = "Date de naissance"
COL_BIRTH_PLACE = "Lieu de naissance"
COL_EXTERNAL_ID = "Identifiant Externe"
COL_TYPE = "Type de certification"
COL_STATUS = "Statut"
COL_PIX = "Nombre de Pix"
COL_LEVEL = "Niveau"
COL_SCORE = "Score en pix"
COL_COMMENT = "Commentaire jury pour l’organisation"
COL_SESSION = "Session"
COL_CENTRE = "Centre de certification"
COL_DATE_TAKEN = "Date de passage de la certification"
COMPLEMENTARY_PREFIX = "Certification "

_COMMON_COLUMNS = (
    COL_NUMBER, COL_FIRST_NAME, COL_LAST_NAME, COL_BIRTH_DATE, COL_BIRTH_PLACE,
    COL_EXTERNAL_ID, COL_STATUS, COL_COMMENT, COL_SESSION, COL_CENTRE, COL_DATE_TAKEN,
)  # fmt: skip
_KNOWN_COLUMNS = (*_COMMON_COLUMNS, COL_TYPE, COL_PIX, COL_LEVEL, COL_SCORE, *COMPETENCE_CODES)
_DATE_RE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_INT_RE = re.compile(r"^\d{1,9}$")
_DIGITS_RE = re.compile(r"^\d+$")
# Certification and session numbers are stored in 20 characters.
MAX_NUMBER_DIGITS = 20
_FORMULA_GUARD_RE = re.compile(r"^'[=+\-@]")


@dataclass(frozen=True)
class Problem:
    line: int  # physical line in the file, the header being line 1
    column: str  # the column, spelt as in Pix's header ('' for the whole line)
    value: str
    reason: str


@dataclass(frozen=True)
class ResultLine:
    line: int
    certification_number: str
    first_name: str
    last_name: str
    birth_date: dt.date
    birth_place: str
    external_id: str
    status: str
    score: int | None
    level: int | None
    competence_levels: dict[str, int | None]
    complementary: dict[str, str]
    jury_comment: str
    session_number: str
    centre: str
    taken_on: dt.date
    certification_type: str = ""


@dataclass(frozen=True)
class ResultsFile:
    variant: str  # VARIANT_CLASSIC or VARIANT_2026
    complementary_labels: tuple[str, ...]
    lines: tuple[ResultLine, ...] = field(default_factory=tuple)

    @property
    def session_numbers(self) -> tuple[str, ...]:
        return tuple(sorted({line.session_number for line in self.lines}))


class PixResultsError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAResultsFile(PixResultsError):
    """The bytes are not a Pix Certif results export; ``message`` says why, in French."""


class ResultsFileError(PixResultsError):
    """Some lines are wrong; ``problems`` lists them all and nothing was imported."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(
            _(
                "Le fichier de résultats contient %(count)d erreur(s) ; aucun résultat n’a été "
                "importé."
            )
            % {"count": len(self.problems)}
        )


def _key(header: str) -> str:
    text = unicodedata.normalize("NFC", header).replace("’", "'").replace("\ufeff", "")
    return " ".join(text.split()).casefold()


def _unguard(value: str) -> str:
    return value[1:] if _FORMULA_GUARD_RE.match(value) else value


def _decode(data: bytes) -> str:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("parse_results expects bytes.")
    data = bytes(data)
    if not data.strip():
        raise NotAResultsFile(_("Le fichier est vide."))
    if b"\x00" in data:
        raise NotAResultsFile(
            _(
                "Ce fichier n’est pas un fichier texte CSV : téléchargez l’export des "
                "résultats depuis le lien envoyé par Pix, sans l’ouvrir dans un tableur."
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotAResultsFile(
            _(
                "Ce fichier n’est pas encodé en UTF-8 comme l’export de Pix : il a sans doute "
                "été réenregistré par un tableur, téléchargez-le à nouveau depuis Pix."
            )
        ) from None
    return text.removeprefix("\ufeff")


def _not_results(missing: list[str]) -> NotAResultsFile:
    shown = ", ".join(f"« {m} »" for m in missing[:5]) + ("…" if len(missing) > 5 else "")
    return NotAResultsFile(
        _(
            "Ce fichier n’est pas un export des résultats Pix Certif : il y manque les "
            "colonnes %(columns)s."
        )
        % {"columns": shown}
    )


def _read_rows(text: str) -> list[tuple[int, list[str]]]:
    """(first physical line, cells) for each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    rows = []
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if cells and any(c.strip() for c in cells):
                rows.append((start, cells))
    except csv.Error:
        raise NotAResultsFile(
            _(
                "Ce fichier CSV est mal formé vers la ligne %(line)d (guillemets ou champ "
                "trop long) : ce n’est pas un export des résultats Pix Certif intact."
            )
            % {"line": reader.line_num}
        ) from None
    return rows


def _header_positions(header: list[str]) -> tuple[dict[str, int], dict[str, int], str, bool]:
    """Positions of known columns and of complementary ones, the variant, competences present."""
    if len(header) == 1:
        for separator, name in ((",", "virgule"), ("\t", "tabulation"), ("|", "barre")):
            if separator in header[0]:
                raise NotAResultsFile(
                    _(
                        "Ce fichier utilise « %(name)s » comme séparateur au lieu du "
                        "point-virgule de l’export Pix : il a sans doute été réenregistré par "
                        "un tableur, téléchargez-le à nouveau depuis Pix."
                    )
                    % {"name": name}
                )
    known = {_key(c): c for c in _KNOWN_COLUMNS}
    positions: dict[str, int] = {}
    complementary: dict[str, int] = {}
    seen: set[str] = set()
    for i, raw in enumerate(header):
        k = _key(raw)
        if not k:
            continue
        if k in seen:
            raise NotAResultsFile(
                _(
                    "La colonne « %(column)s » apparaît deux fois : ce n’est pas un export des "
                    "résultats Pix Certif intact."
                )
                % {"column": raw.strip()}
            )
        seen.add(k)
        if k in known:
            positions[known[k]] = i
        elif k.startswith(_key(COMPLEMENTARY_PREFIX) + " "):
            label = " ".join(unicodedata.normalize("NFC", raw).split())[len(COMPLEMENTARY_PREFIX) :]
            complementary[label] = i
    missing = [c for c in _COMMON_COLUMNS if c not in positions]
    if COL_PIX in positions:
        variant = VARIANT_CLASSIC
    elif COL_LEVEL in positions or COL_SCORE in positions:
        variant = VARIANT_2026
        missing += [c for c in (COL_LEVEL, COL_SCORE) if c not in positions]
    else:
        variant = VARIANT_CLASSIC
        missing.append(f"{COL_PIX} / {COL_SCORE}")
    competences = [c for c in COMPETENCE_CODES if c in positions]
    if competences and len(competences) != len(COMPETENCE_CODES):
        missing += [c for c in COMPETENCE_CODES if c not in positions]
    if missing:
        raise _not_results(missing)
    return positions, complementary, variant, bool(competences)


class _LineReader:
    """Reads the cells of one line and collects its problems."""

    def __init__(self, line_no: int, cells: list[str], positions: dict[str, int]):
        self.line_no = line_no
        self.cells = cells
        self.positions = positions
        self.problems: list[Problem] = []

    def cell(self, column: str) -> str:
        return self.cells[self.positions[column]].strip()

    def text(self, column: str) -> str:
        return _unguard(self.cell(column))

    def problem(self, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(self.line_no, column, value, reason))

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.problem(column, value, _("Cette valeur est obligatoire."))
        return value

    def digits(self, column: str) -> str:
        value = self.cell(column)
        if not _DIGITS_RE.match(value):
            self.problem(column, value, _("Un nombre est attendu."))
        elif len(value) > MAX_NUMBER_DIGITS:
            self.problem(
                column,
                value,
                _("Un numéro de %(max)d chiffres au plus est attendu.")
                % {"max": MAX_NUMBER_DIGITS},
            )
        return value

    def date(self, column: str) -> dt.date | None:
        value = self.cell(column)
        m = _DATE_RE.match(value)
        if m:
            try:
                return dt.date(int(m[3]), int(m[2]), int(m[1]))
            except ValueError:
                pass
        self.problem(column, value, _("Une date au format JJ/MM/AAAA est attendue."))
        return None

    def bounded(self, column: str, top: int) -> int | None:
        """A whole number from 0 to ``top``, or ``-`` (None)."""
        value = self.cell(column)
        if value == NOT_TESTED:
            return None
        if _INT_RE.match(value) and int(value) <= top:
            return int(value)
        self.problem(
            column,
            value,
            _("Un nombre entier de 0 à %(top)d, ou « - », est attendu.") % {"top": top},
        )
        return None


def parse_results(data: bytes, *, max_level: int | None = None) -> ResultsFile:
    """Every line of a Pix Certif results export, all valid, or an error (see module doc).

    ``max_level`` (default: the ``PIX_MAX_LEVEL`` setting) bounds the levels, and the score
    through ``competences.scoring.max_score``.
    """
    top_level = scoring.max_level(max_level)
    top_score = scoring.max_score(top_level)
    rows = _read_rows(_decode(data))
    if not rows:
        raise NotAResultsFile(_("Le fichier est vide."))
    _header_line, header = rows[0]
    positions, complementary_cols, variant, has_competences = _header_positions(header)
    if len(rows) == 1:
        raise NotAResultsFile(
            _("Ce fichier ne contient que la ligne d’en-tête : aucun résultat à importer.")
        )

    problems: list[Problem] = []
    lines: list[ResultLine] = []
    first_line_of: dict[str, int] = {}

    for line_no, cells in rows[1:]:
        if len(cells) != len(header):
            problems.append(
                Problem(
                    line_no,
                    "",
                    ";".join(cells)[:80],
                    _("La ligne a %(got)d colonnes au lieu de %(expected)d.")
                    % {"got": len(cells), "expected": len(header)},
                )
            )
            continue
        r = _LineReader(line_no, cells, positions)
        number = r.digits(COL_NUMBER)
        first_name = r.required(COL_FIRST_NAME)
        last_name = r.required(COL_LAST_NAME)
        birth_date = r.date(COL_BIRTH_DATE)
        status = r.cell(COL_STATUS)
        if status not in STATUSES:
            r.problem(
                COL_STATUS,
                status,
                _("Statut inconnu ; attendu : %(values)s.") % {"values": ", ".join(STATUSES)},
            )
        if variant == VARIANT_CLASSIC:
            score = r.bounded(COL_PIX, top_score)
            level = None
        else:
            score = r.bounded(COL_SCORE, top_score)
            level = r.bounded(COL_LEVEL, top_level)
        competence_levels = {}
        if has_competences:
            for code in COMPETENCE_CODES:
                competence_levels[code] = r.bounded(code, top_level)
        complementary = {}
        for label, i in complementary_cols.items():
            value = cells[i].strip()
            if not value:
                continue
            if value not in COMPLEMENTARY_STATUSES:
                r.problem(
                    header[i].strip(),
                    value,
                    _("Résultat de certification complémentaire inconnu ; attendu : %(values)s.")
                    % {"values": ", ".join(COMPLEMENTARY_STATUSES)},
                )
            complementary[label] = value
        session_number = r.digits(COL_SESSION)
        taken_on = r.date(COL_DATE_TAKEN)
        if _DIGITS_RE.match(number):
            if number in first_line_of:
                r.problem(
                    COL_NUMBER,
                    number,
                    _("Ce numéro de certification figure déjà ligne %(line)d.")
                    % {"line": first_line_of[number]},
                )
            else:
                first_line_of[number] = line_no
        if r.problems:
            problems += r.problems
            continue
        lines.append(
            ResultLine(
                line=line_no,
                certification_number=number,
                first_name=first_name,
                last_name=last_name,
                birth_date=birth_date,
                birth_place=r.text(COL_BIRTH_PLACE),
                external_id=r.text(COL_EXTERNAL_ID),
                status=status,
                score=score,
                level=level,
                competence_levels=competence_levels,
                complementary=complementary,
                jury_comment=r.text(COL_COMMENT),
                session_number=session_number,
                centre=r.text(COL_CENTRE),
                taken_on=taken_on,
                certification_type=r.text(COL_TYPE) if COL_TYPE in positions else "",
            )
        )
    if problems:
        raise ResultsFileError(problems)
    return ResultsFile(
        variant=variant,
        complementary_labels=tuple(complementary_cols),
        lines=tuple(lines),
    )
