"""The columns of a Pix Orga profiles export (formats README §1): their names, how a header is
compared (accents, case, apostrophes, Pix's formula guard), and the layout read from a file's
first line. Pure, no database; :mod:`candidates.pix.profiles` reads the rows.
"""

from __future__ import annotations

import csv
import unicodedata
import zoneinfo
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NA = "NA"
# The database's widths: a longer campaign id or external id is reported, not cut.
MAX_CAMPAIGN_ID = 32
MAX_EXTERNAL_ID = 64
FORMULA_CHARS = "=+-@"

COL_ORGANISATION = "Nom de l'organisation"
COL_CAMPAIGN_ID = "ID Campagne"
COL_CODE = "Code"
COL_CAMPAIGN_NAME = "Nom de la campagne"
COL_LAST_NAME = "Nom du Participant"
COL_FIRST_NAME = "Prénom du Participant"
COL_GROUP = "Groupe"
COL_STUDENT_NUMBER = "Numéro Étudiant"
COL_SENT = "Envoi (O/N)"
COL_SENT_AT_NEW = "Date et heure de l'envoi (Europe/Paris)"
COL_SENT_AT_OLD = "Date de l'envoi"
COL_TOTAL = "Nombre de pix total"
COL_CERTIFIABLE = "Certifiable (O/N)"
COL_CERTIFIABLE_COUNT = "Nombre de compétences certifiables"
LEVEL_PREFIX = "Niveau pour la compétence "
PIX_PREFIX = "Nombre de pix pour la compétence "

REQUIRED = [
    COL_ORGANISATION,
    COL_CAMPAIGN_ID,
    COL_CAMPAIGN_NAME,
    COL_LAST_NAME,
    COL_FIRST_NAME,
    COL_SENT,
    COL_TOTAL,
    COL_CERTIFIABLE,
    COL_CERTIFIABLE_COUNT,
]
# Labels a campaign may give to its own external id, besides the student-management column.
EXTERNAL_ID_HINTS = ("numéro étudiant", "numero etudiant", "identifiant", "n° étudiant")


class NotAPixExport(ValueError):
    """The file is not a Pix Orga profile-collection export; ``str(exc)`` is one sentence."""


def normalise(name: str) -> str:
    """Header comparison: Unicode NFC, typographic apostrophe, single spaces, no case."""
    name = unicodedata.normalize("NFC", name).replace("'", "’").replace("\u00a0", " ")
    return " ".join(name.split()).casefold()


def plain(name: str) -> str:
    """:func:`normalise` without accents either: ``Multimédia`` = ``MULTIMEDIA``."""
    decomposed = unicodedata.normalize("NFKD", normalise(name))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def unguard(value: str) -> str:
    """Remove the ``'`` Pix puts before a string starting with ``= + - @`` (formula guard)."""
    if len(value) >= 2 and value[0] == "'" and value[1] in FORMULA_CHARS:
        return value[1:]
    return value


def default_competences() -> list[tuple[str, str]]:
    """(code, French title) of the 16 competences, from the referential's data file."""
    from competences.referential import load_data

    return [(c["code"], c["title_fr"]) for c in load_data()["competences"]]


def _decode(data: bytes) -> str:
    if not data or not data.strip():
        raise NotAPixExport(_("Le fichier est vide : ce n’est pas un export Pix Orga."))
    if b"\x00" in data:  # anywhere: PostgreSQL stores no NUL, in a name or in the report
        raise NotAPixExport(
            _("Le fichier est binaire (tableur ou archive ?) : déposez l’export CSV de Pix Orga.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotAPixExport(
            _(
                "Le fichier n’est pas encodé en UTF-8 : déposez l’export de Pix Orga tel quel, "
                "sans l’avoir enregistré depuis un tableur."
            )
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class _Layout:
    index: dict[str, int]  # normalised required/optional name -> position
    header: list[str]
    sent_at: tuple[str, int]
    external_id: tuple[str, int] | None
    group: int | None
    code: int | None
    extra: list[tuple[str, int]]
    competences: list[tuple[str, str, int, str, int]]  # code, level col, idx, pix col, idx
    result_columns: list[tuple[str, int]] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # column name → index, filled lazily


def _layout(header: list[str], competences: list[tuple[str, str]]) -> tuple[_Layout, str]:
    if len(header) == 1 and any(sep in header[0] for sep in (",", "\t", "|")):
        raise NotAPixExport(
            _(
                "Les colonnes ne sont pas séparées par des points-virgules : ce n’est pas un "
                "export Pix Orga (ré-exportez-le depuis Pix Orga sans passer par un tableur)."
            )
        )
    header = [unguard(h.strip()) for h in header]
    index: dict[str, int] = {}
    by_plain: dict[str, int] = {}  # competence columns: accents and case ignored
    for i, name in enumerate(header):
        index.setdefault(normalise(name), i)
        by_plain.setdefault(plain(name), i)
    missing = [name for name in REQUIRED if normalise(name) not in index]
    if normalise(COL_SENT_AT_NEW) in index:
        sent_at, variant = (COL_SENT_AT_NEW, index[normalise(COL_SENT_AT_NEW)]), "new"
    elif normalise(COL_SENT_AT_OLD) in index:
        sent_at, variant = (COL_SENT_AT_OLD, index[normalise(COL_SENT_AT_OLD)]), "old"
    else:
        sent_at, variant = ("", -1), ""
        missing.append(COL_SENT_AT_NEW)
    comp_columns = []
    for code, title in competences:
        level_col, pix_col = LEVEL_PREFIX + title, PIX_PREFIX + title
        li, pi = by_plain.get(plain(level_col)), by_plain.get(plain(pix_col))
        if li is None:
            missing.append(level_col)
        if pi is None:
            missing.append(pix_col)
        if li is not None and pi is not None:
            comp_columns.append((code, header[li], li, header[pi], pi))
    if missing:
        if len(missing) > 3:
            shown = ", ".join(f"« {m} »" for m in missing[:3]) + ", …"
        else:
            shown = ", ".join(f"« {m} »" for m in missing)
        raise NotAPixExport(
            _(
                "Il manque %(count)s colonne(s) attendue(s) (%(names)s) : ce n’est pas l’export "
                "d’une campagne de collecte de profils Pix Orga."
            )
            % {"count": len(missing), "names": shown}
        )
    # Optional columns between the participant's first name and "Envoi (O/N)": the
    # organisation's own columns, Groupe, Numéro Étudiant, the campaign's external id.
    first, sent = index[normalise(COL_FIRST_NAME)], index[normalise(COL_SENT)]
    group = index.get(normalise(COL_GROUP))
    code = index.get(normalise(COL_CODE))
    external_id = None
    if normalise(COL_STUDENT_NUMBER) in index:
        i = index[normalise(COL_STUDENT_NUMBER)]
        external_id = (header[i], i)
    extra = []
    for i in range(first + 1, sent):
        if i == group or (external_id and i == external_id[1]):
            continue
        if external_id is None and any(h in normalise(header[i]) for h in EXTERNAL_ID_HINTS):
            external_id = (header[i], i)
            continue
        extra.append((header[i], i))
    layout = _Layout(index, header, sent_at, external_id, group, code, extra, comp_columns)
    # The columns that are all NA for a participant who has not shared their profile.
    layout.result_columns = [sent_at] + [
        (name, index[normalise(name)])
        for name in (COL_TOTAL, COL_CERTIFIABLE, COL_CERTIFIABLE_COUNT)
    ]
    for _code, level_col, li, pix_col, pi in comp_columns:
        layout.result_columns += [(level_col, li), (pix_col, pi)]
    return layout, variant


def read_header(data: bytes, *, competences: list[tuple[str, str]] | None = None) -> str:
    """Check only that ``data`` looks like a Pix export (encoding, separator, columns): a
    cheap check for upload forms. Returns the header variant; raises :class:`NotAPixExport`."""
    end = data.find(b"\n")
    text = _decode(data if end == -1 else data[:end])
    first_line = text.split("\n", 1)[0]
    try:
        header = next(csv.reader([first_line], delimiter=";", quotechar='"'))
    except (StopIteration, csv.Error):
        raise NotAPixExport(_("La première ligne du fichier n’est pas lisible en CSV.")) from None
    _layout_obj, variant = _layout(header, competences or default_competences())
    return variant
