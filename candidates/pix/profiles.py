"""Reading the Pix Orga export of a profile-collection campaign (formats README §1).

Pure: bytes in, a parsed export out, no database. Two outcomes besides success:

- the file is not a Pix export at all (binary, wrong encoding, wrong separator, missing columns,
  empty): :class:`NotAPixExport` with one sentence a person understands;
- the file is a Pix export but some rows are wrong: ``export.problems`` lists every problem as
  (line, column, value, reason); the caller then imports nothing.

Rows where a participant has not shared their profile carry ``NA`` in every result column:
they are participants without a profile (``row.has_profile`` is false), not errors.

Levels are read up to ``competences.scoring.FILE_MAX_LEVEL`` (8) and a competence's pix up to
8 × 8, whatever the centre's ``PIX_MAX_LEVEL``. Competence titles are matched without regard
to accents, case or apostrophe (Pix's own fixtures spell 3.2 "multimedia"). Sent dates are
Paris local time, returned in UTC: the hour that occurs twice when clocks go back is read as
its first occurrence, the same way at every import, so a re-import finds its snapshots.

:func:`parse_profiles_export` is the whole validation, pure: bytes in, rows and problems out.
The columns (names, header comparison, the layout of a file) are in
:mod:`candidates.pix.profiles_columns`; this module re-exports them.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from competences import scoring

from .profiles_columns import (
    COL_CAMPAIGN_ID,
    COL_CAMPAIGN_NAME,
    COL_CERTIFIABLE,
    COL_CERTIFIABLE_COUNT,
    COL_CODE,
    COL_FIRST_NAME,
    COL_GROUP,
    COL_LAST_NAME,
    COL_ORGANISATION,
    COL_SENT,
    COL_SENT_AT_NEW,
    COL_SENT_AT_OLD,
    COL_STUDENT_NUMBER,
    COL_TOTAL,
    EXTERNAL_ID_HINTS,
    FORMULA_CHARS,
    LEVEL_PREFIX,
    MAX_CAMPAIGN_ID,
    MAX_EXTERNAL_ID,
    NA,
    PARIS,
    PIX_PREFIX,
    REQUIRED,
    NotAPixExport,
    _decode,
    _Layout,
    _layout,
    default_competences,
    normalise,
    plain,
    read_header,
    unguard,
)

__all__ = [
    "COL_CAMPAIGN_ID",
    "COL_CAMPAIGN_NAME",
    "COL_CERTIFIABLE",
    "COL_CERTIFIABLE_COUNT",
    "COL_CODE",
    "COL_FIRST_NAME",
    "COL_GROUP",
    "COL_LAST_NAME",
    "COL_ORGANISATION",
    "COL_SENT",
    "COL_SENT_AT_NEW",
    "COL_SENT_AT_OLD",
    "COL_STUDENT_NUMBER",
    "COL_TOTAL",
    "EXTERNAL_ID_HINTS",
    "FORMULA_CHARS",
    "LEVEL_PREFIX",
    "MAX_CAMPAIGN_ID",
    "MAX_EXTERNAL_ID",
    "NA",
    "PARIS",
    "PIX_PREFIX",
    "REQUIRED",
    "NotAPixExport",
    "ParticipantRow",
    "Problem",
    "ProfilesExport",
    "default_competences",
    "name_key",
    "normalise",
    "parse_profiles_export",
    "plain",
    "read_header",
    "unguard",
]


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        return _("ligne %(line)s, colonne « %(column)s », valeur « %(value)s » : %(reason)s") % {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass
class ParticipantRow:
    line: int
    last_name: str
    first_name: str
    external_id: str = ""
    group: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    has_profile: bool = False
    sent_at: dt.datetime | None = None
    total_pix: int | None = None
    certifiable: bool | None = None
    certifiable_count: int | None = None
    levels: dict[str, int] = field(default_factory=dict)
    pix: dict[str, int] = field(default_factory=dict)


@dataclass
class ProfilesExport:
    organisation: str = ""
    campaign_id: str = ""
    campaign_code: str = ""
    campaign_name: str = ""
    header_variant: str = ""  # "new" (date and time) or "old" (date only)
    external_id_column: str = ""
    rows: list[ParticipantRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def with_profile(self) -> list[ParticipantRow]:
        return [r for r in self.rows if r.has_profile]

    @property
    def without_profile(self) -> list[ParticipantRow]:
        return [r for r in self.rows if not r.has_profile]


def name_key(last_name: str, first_name: str) -> tuple[str, str]:
    """A person's name for comparison: accents, case, hyphens and apostrophes ignored
    (``DA-SILVA Léa`` = ``Da Silva Lea``)."""

    def key(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text or "")
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
        for sep in "-'’.":
            bare = bare.replace(sep, " ")
        return " ".join(bare.split()).casefold()

    return key(last_name), key(first_name)


def _int(value: str) -> int | None:
    """A whole number written the French way (``12`` or ``12,0``); None when it is not one.
    Only ASCII digits: ``str.isdigit`` also accepts superscripts such as ``²``, which
    ``int()`` refuses."""
    if value.isascii() and value.isdigit():
        return int(value)
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        return None
    number = float(text)
    return int(number) if number.is_integer() else None


def _yes_no(value: str) -> bool | None:
    return {"oui": True, "non": False, "o": True, "n": False}.get(value.strip().casefold())


@functools.lru_cache(maxsize=4096)  # an export has few distinct dates: parse each once
def _sent_at(value: str) -> dt.datetime | None:
    """A Paris local date (and time) as an aware UTC datetime.

    UTC, not Europe/Paris: Python never finds a Paris time of the repeated autumn hour (02:00
    to 02:59 on the last Sunday of October) equal to the same instant in another zone (PEP 495),
    so a re-import compared such a snapshot with the database's UTC value, missed it and
    inserted it twice (IntegrityError). Such a time is read as its first occurrence (summer
    time, fold 0), which is all the file lets anyone know, and always the same instant."""
    value = value.strip()
    local = None
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"):
        try:
            local = dt.datetime.strptime(value, fmt)
            break
        except ValueError:
            pass
    if local is None:
        try:
            local = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        except ValueError:
            return None
    try:
        return local.replace(tzinfo=PARIS).astimezone(dt.UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 at the edge of what datetime holds
        return None


def parse_profiles_export(
    data: bytes,
    *,
    competences: list[tuple[str, str]] | None = None,
) -> ProfilesExport:
    """Read and validate a whole export. Raises :class:`NotAPixExport`; row problems are
    collected in ``export.problems`` (all of them, not only the first).

    Levels are bounded by ``scoring.FILE_MAX_LEVEL`` (8), not by the centre's setting."""
    max_lvl = scoring.FILE_MAX_LEVEL
    competences = competences or default_competences()
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise NotAPixExport(_("Le fichier est vide : ce n’est pas un export Pix Orga.")) from None
    except csv.Error:
        raise NotAPixExport(_("La première ligne du fichier n’est pas lisible en CSV.")) from None
    layout, variant = _layout(header, competences)
    export = ProfilesExport(header_variant=variant)
    if layout.external_id:
        export.external_id_column = layout.external_id[0]
    problems = export.problems
    seen_ids: dict[str, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    width = len(layout.header)
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                problems.append(
                    Problem(
                        line,
                        _("(ligne entière)"),
                        str(len(cells)),
                        _("La ligne a %(got)s colonnes au lieu de %(expected)s.")
                        % {"got": len(cells), "expected": width},
                    )
                )
                continue
            cells = [unguard(c.strip()) if c[:1] in "' " else c.strip() for c in cells]
            row = _read_row(line, cells, layout, export, max_lvl, problems)
            if row is None:
                continue
            if row.external_id:
                if row.external_id in seen_ids:
                    problems.append(
                        Problem(
                            line,
                            layout.external_id[0],
                            row.external_id,
                            _("Ce participant figure déjà à la ligne %(first)s.")
                            % {"first": seen_ids[row.external_id]},
                        )
                    )
                    continue
                seen_ids[row.external_id] = line
            else:
                key = (normalise(row.last_name), normalise(row.first_name))
                if key in seen_names:
                    problems.append(
                        Problem(
                            line,
                            COL_LAST_NAME,
                            row.last_name,
                            _(
                                "Ce participant (même nom et prénom) figure déjà "
                                "à la ligne %(first)s."
                            )
                            % {"first": seen_names[key]},
                        )
                    )
                    continue
                seen_names[key] = line
            export.rows.append(row)
    except csv.Error as exc:
        raise NotAPixExport(
            _(
                "Le fichier n’est pas un CSV lisible (ligne %(line)s) : "
                "ce n’est pas un export Pix Orga."
            )
            % {"line": reader.line_num}
        ) from exc
    if not export.rows and not problems:
        raise NotAPixExport(
            _("Le fichier ne contient aucun participant : seul l’en-tête est présent.")
        )
    return export


def _read_row(line, cells, layout: _Layout, export: ProfilesExport, max_lvl, problems):
    positions = layout.positions

    def cell(name):
        if name not in positions:  # the header's names are normalised once per file
            positions[name] = layout.index[normalise(name)]
        return cells[positions[name]]

    def problem(column, value, reason):
        problems.append(Problem(line, column, value, reason))

    before = len(problems)
    campaign_id = cell(COL_CAMPAIGN_ID)
    if not export.campaign_id:
        export.organisation = cell(COL_ORGANISATION)
        export.campaign_id = campaign_id
        export.campaign_name = cell(COL_CAMPAIGN_NAME)
        export.campaign_code = cells[layout.code] if layout.code is not None else ""
        if not campaign_id:
            problem(COL_CAMPAIGN_ID, campaign_id, _("L’identifiant de la campagne est vide."))
    elif campaign_id != export.campaign_id:
        problem(
            COL_CAMPAIGN_ID,
            campaign_id,
            _("Toutes les lignes doivent venir de la même campagne (%(first)s).")
            % {"first": export.campaign_id},
        )
    row = ParticipantRow(
        line=line,
        last_name=cell(COL_LAST_NAME),
        first_name=cell(COL_FIRST_NAME),
        external_id=cells[layout.external_id[1]] if layout.external_id else "",
        group=cells[layout.group] if layout.group is not None else "",
        extra={name: cells[i] for name, i in layout.extra},
    )
    if len(campaign_id) > MAX_CAMPAIGN_ID:
        problem(
            COL_CAMPAIGN_ID,
            campaign_id,
            _("Identifiant de campagne trop long (%(max)s caractères au plus).")
            % {"max": MAX_CAMPAIGN_ID},
        )
    if len(row.external_id) > MAX_EXTERNAL_ID:
        problem(
            layout.external_id[0],
            row.external_id,
            _("Identifiant trop long (%(max)s caractères au plus).") % {"max": MAX_EXTERNAL_ID},
        )
    if not row.last_name:
        problem(COL_LAST_NAME, "", _("Le nom du participant est vide."))
    if not row.first_name:
        problem(COL_FIRST_NAME, "", _("Le prénom du participant est vide."))
    sent = _yes_no(cell(COL_SENT))
    if sent is None:
        problem(COL_SENT, cell(COL_SENT), _("Valeur attendue : « Oui » ou « Non »."))
    result_columns = layout.result_columns
    na = [cells[i] == NA for _name, i in result_columns] if NA in cells else [False]
    if all(na):
        if sent:
            problem(
                COL_SENT,
                cell(COL_SENT),
                _(
                    "Le profil est indiqué comme envoyé mais toutes "
                    "les colonnes de résultat sont NA."
                ),
            )
        row.has_profile = False
        return row if len(problems) == before else None
    if any(na):
        for (name, _i), is_na in zip(result_columns, na, strict=True):
            if is_na:
                problem(
                    name,
                    NA,
                    _(
                        "Valeur manquante : NA n’est admis que si toute "
                        "la ligne de résultats l’est."
                    ),
                )
        return None
    if sent is False:
        problem(
            COL_SENT,
            cell(COL_SENT),
            _("Le profil est indiqué comme non envoyé mais la ligne contient des résultats."),
        )
    row.has_profile = True
    row.sent_at = _sent_at(cells[layout.sent_at[1]])
    if row.sent_at is None:
        problem(
            layout.sent_at[0],
            cells[layout.sent_at[1]],
            _("Date attendue au format JJ/MM/AAAA HH:MM ou AAAA-MM-JJ."),
        )
    max_pix = scoring.max_competence_pix(max_lvl)
    for code, level_col, li, pix_col, pi in layout.competences:
        level, pix = cells[li], cells[pi]
        # Plain digits are nearly every cell: read them without _int's checks.
        level = int(level) if level.isdigit() and level.isascii() else _int(level)
        pix = int(pix) if pix.isdigit() and pix.isascii() else _int(pix)
        if level is None:
            problem(level_col, cells[li], _("Le niveau doit être un nombre entier."))
        elif not 0 <= level <= max_lvl:
            problem(
                level_col,
                cells[li],
                _("Le niveau doit être compris entre 0 et %(max)s.") % {"max": max_lvl},
            )
            level = None
        if pix is None:
            problem(pix_col, cells[pi], _("Le nombre de pix doit être un nombre entier."))
        elif not 0 <= pix <= max_pix:
            problem(
                pix_col,
                cells[pi],
                _("Le nombre de pix d’une compétence est compris entre 0 et %(max)s.")
                % {"max": max_pix},
            )
            pix = None
        if level is not None and pix is not None:
            # pix is already within 0..max: Pix's level rule is then a plain division.
            expected = min(pix // scoring.PIX_PER_LEVEL, max_lvl)
            if level != expected:
                problem(
                    level_col,
                    cells[li],
                    _("Niveau incohérent avec les pix : %(pix)s pix donnent le niveau %(level)s.")
                    % {"pix": pix, "level": expected},
                )
            row.levels[code], row.pix[code] = level, pix
    total = _int(cell(COL_TOTAL))
    count = _int(cell(COL_CERTIFIABLE_COUNT))
    certifiable = _yes_no(cell(COL_CERTIFIABLE))
    if total is None or total < 0:
        problem(COL_TOTAL, cell(COL_TOTAL), _("Le total de pix doit être un nombre entier."))
    if count is None or count < 0:
        problem(
            COL_CERTIFIABLE_COUNT,
            cell(COL_CERTIFIABLE_COUNT),
            _("Le nombre de compétences certifiables doit être un nombre entier."),
        )
    if certifiable is None:
        problem(COL_CERTIFIABLE, cell(COL_CERTIFIABLE), _("Valeur attendue : « Oui » ou « Non »."))
    if len(row.levels) == len(layout.competences):
        levels = list(row.levels.values())
        expected_total = sum(row.pix.values())  # each already capped (checked above)
        if total is not None and total != expected_total:
            problem(
                COL_TOTAL,
                cell(COL_TOTAL),
                _("Le total ne correspond pas à la somme des compétences (%(sum)s pix).")
                % {"sum": expected_total},
            )
        expected_count = scoring.certifiable_competences(levels)
        if count is not None and count != expected_count:
            problem(
                COL_CERTIFIABLE_COUNT,
                cell(COL_CERTIFIABLE_COUNT),
                _("%(n)s compétences sont au niveau 1 ou plus d’après les colonnes de niveau.")
                % {"n": expected_count},
            )
        if certifiable is not None and certifiable != scoring.is_certifiable(levels):
            problem(
                COL_CERTIFIABLE,
                cell(COL_CERTIFIABLE),
                _(
                    "Incohérent avec les niveaux : un profil est certifiable quand au moins 5 "
                    "compétences sont au niveau 1 ou plus (ici %(n)s)."
                )
                % {"n": expected_count},
            )
    row.total_pix, row.certifiable_count, row.certifiable = total, count, certifiable
    return row if len(problems) == before else None
