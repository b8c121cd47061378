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
- The classic header (``Nombre de Pix``) and the 2026 one (``Type de certification``, ``Niveau``
  and ``Score en Pix``, spelt with any case), in every shape Pix writes: core Pix, CléA and
  Pix+ rows in one file, and a session of Pix+ only, which has neither ``Score en Pix`` nor
  the competence columns.
- ``Niveau`` is a **label** (``Novice 1`` … ``Expert 2`` for core Pix, ``Obtenue`` /
  ``Indépendant`` … for Pix+ Droit and Pro Santé, ``Admissible`` / ``Non admissible`` for Pix+
  Édu), kept as Pix spells it; ``-`` or empty means none.
- ``Certification <label>`` columns for complementary certifications; an empty cell there means
  the candidate was not concerned and is left out of ``ResultLine.complementary``.
- The competence columns ``1.1`` … ``5.2``: all of them, or none (``competence_levels`` is
  then empty).
- An empty score or competence cell (a ``Démarrée`` row, a Pix+ row) is read as ``-``.
- A text cell starting with ``'`` followed by ``=``, ``+``, ``-`` or ``@`` is Pix's formula
  guard: the ``'`` is stripped, as for the Pix Orga export (README §1).

Checks on each line: status among Pix's (``Rejetée`` in classic files, ``Non obtenue`` since
2026), complementary outcomes among Pix's, certification type among Pix's, the ``Niveau``
label among those of the line's certification, score (``Nombre de Pix`` / ``Score en Pix``) a
whole number from 0 to ``max_score(FILE_MAX_LEVEL)`` (1024) or ``-``, competence levels from 0
to ``FILE_MAX_LEVEL`` (8) or ``-`` — whatever the centre's own ``PIX_MAX_LEVEL``: Pix
certifies 7 levels today and files may carry 8 —, a score on every validated core line,
dates ``DD/MM/YYYY``,
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

STATUSES = ("Validée", "Rejetée", "Non obtenue", "Annulée", "En erreur", "Démarrée")
COMPLEMENTARY_STATUSES = ("Validée", "Rejetée", "Non obtenue", "Annulée", "En erreur", "Non passée")
VALIDATED = "Validée"
# ``Type de certification`` (2026 files): core Pix, CléA (taken with the core test) and Pix+.
TYPE_CORE = "Pix"
TYPE_CLEA = "CléA Numérique by Pix"
CERTIFICATION_TYPES = (
    TYPE_CORE, TYPE_CLEA, "Pix+ Droit", "Pix+ Édu 1er degré", "Pix+ Édu 2nd degré",
    "Pix+ Édu CPE", "Pix+ Pro Santé",
)  # fmt: skip
CORE_TYPES = (TYPE_CORE, TYPE_CLEA)  # = models.CORE_CERTIFICATION_TYPES
# ``Niveau`` labels, by certification: core Pix by score band, Pix+ Droit and Pro Santé,
# Pix+ Édu. A line whose type is unknown (older 2026 files without the column) may carry any.
CORE_LEVELS = (
    "Novice 1", "Novice 2", "Indépendant 1", "Indépendant 2", "Avancé 1", "Avancé 2",
    "Expert 1", "Expert 2",
)  # fmt: skip
# Lowest score of each core label (README §3: bands of 128 pix from 64; Novice 1 is the first
# 64). Used to write believable demo results; imports keep the label Pix wrote.
CORE_LEVEL_FLOORS = (64, 128, 256, 384, 512, 640, 768, 896)
PIX_PLUS_LEVELS = ("Obtenue", "Non obtenue", "Indépendant", "Confirmé", "Avancé", "Expert")
EDU_LEVELS = ("Admissible", "Non admissible")
LEVELS_BY_TYPE = {
    TYPE_CORE: CORE_LEVELS,
    TYPE_CLEA: CORE_LEVELS,
    "Pix+ Droit": PIX_PLUS_LEVELS,
    "Pix+ Pro Santé": PIX_PLUS_LEVELS,
    "Pix+ Édu 1er degré": EDU_LEVELS,
    "Pix+ Édu 2nd degré": EDU_LEVELS,
    "Pix+ Édu CPE": EDU_LEVELS,
}
ALL_LEVELS = (*CORE_LEVELS, *PIX_PLUS_LEVELS, *EDU_LEVELS)
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
COL_SCORE = "Score en Pix"  # "Score en pix" in some versions: headers ignore case
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
    level: str  # the ``Niveau`` label as Pix spells it ('' for ``-`` or none)
    competence_levels: dict[str, int | None]
    complementary: dict[str, str]
    jury_comment: str
    session_number: str
    centre: str
    taken_on: dt.date
    certification_type: str = ""  # ``Type de certification`` ('' in classic files)

    @property
    def is_core(self) -> bool:
        """Core Pix (or CléA, taken with it): a score and competence levels are expected."""
        return not self.certification_type or self.certification_type in CORE_TYPES


@dataclass(frozen=True)
class ResultsFile:
    variant: str  # VARIANT_CLASSIC or VARIANT_2026
    complementary_labels: tuple[str, ...]
    lines: tuple[ResultLine, ...] = field(default_factory=tuple)
    has_score: bool = True  # False for a session of Pix+ only

    @property
    def session_numbers(self) -> tuple[str, ...]:
        return tuple(sorted({line.session_number for line in self.lines}))


def core_level_label(score: int | None) -> str:
    """The core ``Niveau`` label of a score (``''`` below 64 or without a score)."""
    label = ""
    for floor, name in zip(CORE_LEVEL_FLOORS, CORE_LEVELS, strict=True):
        if score is not None and score >= floor:
            label = name
    return label


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


def _header_positions(
    header: list[str],
) -> tuple[dict[str, int], dict[str, int], str, bool, bool]:
    """Positions of known columns and of complementary ones, the variant, whether the score
    and the competence columns are present."""
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
        variant, has_score = VARIANT_CLASSIC, True
    elif COL_LEVEL in positions or COL_TYPE in positions or COL_SCORE in positions:
        # 2026: ``Niveau`` always; ``Score en Pix`` unless the session was Pix+ only.
        variant, has_score = VARIANT_2026, COL_SCORE in positions
        if COL_LEVEL not in positions:
            missing.append(COL_LEVEL)
    else:
        variant, has_score = VARIANT_CLASSIC, False
        missing.append(f"{COL_PIX} / {COL_SCORE}")
    competences = [c for c in COMPETENCE_CODES if c in positions]
    if competences and len(competences) != len(COMPETENCE_CODES):
        missing += [c for c in COMPETENCE_CODES if c not in positions]
    if missing:
        raise _not_results(missing)
    return positions, complementary, variant, has_score, bool(competences)


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
        """A whole number from 0 to ``top``, or ``-`` or empty (None)."""
        value = self.cell(column)
        if value in (NOT_TESTED, ""):
            return None
        if _INT_RE.match(value) and int(value) <= top:
            return int(value)
        self.problem(
            column,
            value,
            _("Un nombre entier de 0 à %(top)d, ou « - », est attendu.") % {"top": top},
        )
        return None

    def choice(self, column: str, allowed: tuple[str, ...], reason: str) -> str:
        """One of ``allowed`` (case and spaces ignored), returned as Pix spells it."""
        value = " ".join(self.cell(column).split())
        for known in allowed:
            if value.casefold() == known.casefold():
                return known
        self.problem(column, value, reason % {"values": ", ".join(allowed)})
        return value


def parse_results(data: bytes) -> ResultsFile:
    """Every line of a Pix Certif results export, all valid, or an error (see module doc).

    Levels are bounded by ``competences.scoring.FILE_MAX_LEVEL`` (8), and the score by the
    matching ``max_score``, whatever the centre's ``PIX_MAX_LEVEL``: a file Pix writes is
    never refused for carrying a level the centre's setting does not show yet.
    """
    top_level = scoring.FILE_MAX_LEVEL
    top_score = scoring.max_score(top_level)
    rows = _read_rows(_decode(data))
    if not rows:
        raise NotAResultsFile(_("Le fichier est vide."))
    _header_line, header = rows[0]
    positions, complementary_cols, variant, has_score, has_competences = _header_positions(header)
    if len(rows) == 1:
        raise NotAResultsFile(
            _("Ce fichier ne contient que la ligne d’en-tête : aucun résultat à importer.")
        )
    score_column = COL_PIX if variant == VARIANT_CLASSIC else COL_SCORE

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
        certification_type = ""
        if COL_TYPE in positions:
            certification_type = r.choice(
                COL_TYPE,
                CERTIFICATION_TYPES,
                _("Type de certification inconnu ; attendu : %(values)s."),
            )
        status = r.choice(COL_STATUS, STATUSES, _("Statut inconnu ; attendu : %(values)s."))
        is_core = not certification_type or certification_type in CORE_TYPES
        score = r.bounded(score_column, top_score) if has_score else None
        if (
            has_score
            and score is None
            and is_core
            and status == VALIDATED
            and r.cell(score_column) in ("", NOT_TESTED)
        ):
            r.problem(
                score_column,
                r.cell(score_column),
                _("Une certification Pix validée a un score : un nombre entier est attendu."),
            )
        level = ""
        if variant == VARIANT_2026:
            raw_level = " ".join(r.cell(COL_LEVEL).split())
            if raw_level not in ("", NOT_TESTED):
                allowed = LEVELS_BY_TYPE.get(certification_type, ALL_LEVELS)
                level = r.choice(
                    COL_LEVEL,
                    allowed,
                    _("Niveau inconnu pour cette certification ; attendu : %(values)s, ou « - ».")
                    if certification_type
                    else _("Niveau inconnu ; attendu : %(values)s, ou « - »."),
                )
        competence_levels = {}
        if has_competences:
            for code in COMPETENCE_CODES:
                competence_levels[code] = r.bounded(code, top_level)
        complementary = {}
        for label, i in complementary_cols.items():
            value = " ".join(cells[i].split())
            if not value:
                continue
            for known in COMPLEMENTARY_STATUSES:
                if value.casefold() == known.casefold():
                    value = known
                    break
            else:
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
                certification_type=certification_type,
            )
        )
    if problems:
        raise ResultsFileError(problems)
    return ResultsFile(
        variant=variant,
        complementary_labels=tuple(complementary_cols),
        lines=tuple(lines),
        has_score=has_score,
    )
