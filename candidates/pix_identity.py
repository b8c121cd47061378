"""Pix's rules for a candidate's identity (formats README, "Rules Pix applies to candidates").

Pure (no database): works on any object with the candidate's identity attributes, so that the
identity form (candidates) and the Pix Certif export (sessions_app) apply exactly the same
rules. Each problem is ``(field, message)`` with a French message a candidate understands.

The birthplace is checked against the official referentials, as Pix checks it
(``birthplaces``): an INSEE code that no commune has, a postal code with another commune's name,
an unknown country are refused here rather than by Pix, which refuses the whole file.
"""

import contextvars
import datetime as dt
import functools
import re

from django.utils.translation import gettext

from . import birthplaces

_unworded = contextvars.ContextVar("pix_identity_unworded", default=False)


def _(message: str) -> str:
    """``gettext``, skipped where only whether there is a problem matters
    (:func:`identity_complete`): the CSV of 10,000 candidates spent half its time translating
    messages nobody reads."""
    return message if _unworded.get() else gettext(message)


FRANCE = "France"
ABROAD_INSEE = "99"
MIN_BIRTH_DATE = dt.date(1900, 1, 1)
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
POSTAL_RE = re.compile(r"^\d{5}$")


# A name as Pix takes it: letters (accented too), with spaces, hyphens and apostrophes between
# them; it starts with a letter, so never with =, +, - or @ (a spreadsheet would run it as a
# formula, and the Pix Certif export refuses it).
NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ '’-])*")


def name_problem(value: str) -> str | None:
    """Why Pix would refuse this birth name or first name, or None."""
    value = (value or "").strip()
    if not value or NAME.fullmatch(value):
        return None
    if value[0] in "=+-@":
        return _(
            "Un nom ne peut pas commencer par « %(char)s » : il commence par une lettre et ne "
            "contient que des lettres, des espaces, des traits d’union et des apostrophes."
        ) % {"char": value[0]}
    return _(
        "Un nom ne contient que des lettres, des espaces, des traits d’union et des "
        "apostrophes, et commence par une lettre (chiffres et autres signes refusés par Pix)."
    )


@functools.lru_cache(maxsize=1024)  # a handful of spellings; asked for every candidate
def is_born_in_france(country: str) -> bool:
    return birthplaces.normalise(country) == birthplaces.normalise(FRANCE)


def identity_problems(c, *, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Everything that would make Pix refuse this identity; empty when it is complete."""
    today = today or dt.date.today()
    problems: list[tuple[str, str]] = []
    if not (c.birth_name or "").strip():
        problems.append(("birth_name", _("Le nom de naissance est obligatoire.")))
    if not (c.first_name or "").strip():
        problems.append(("first_name", _("Le prénom est obligatoire.")))
    if c.sex not in ("M", "F"):
        problems.append(("sex", _("Le sexe doit être M ou F.")))
    if not c.birth_date:
        problems.append(("birth_date", _("La date de naissance est obligatoire.")))
    elif not (MIN_BIRTH_DATE < c.birth_date < today):
        problems.append(
            ("birth_date", _("La date de naissance doit être après le 01/01/1900 et passée."))
        )
    problems += birthplace_problems(c)
    extra = c.extra_time_percent
    if extra is not None and not (1 <= extra <= 99):
        problems.append(
            ("extra_time_percent", _("Le temps majoré est un pourcentage entier de 1 à 99."))
        )
    return problems


def identity_complete(c, *, today: dt.date | None = None) -> bool:
    """Pix would accept this identity: :func:`identity_problems` finds nothing (the same rules,
    without wording the problems)."""
    token = _unworded.set(True)
    try:
        return not identity_problems(c, today=today)
    finally:
        _unworded.reset(token)


def _commune_list(communes) -> str:
    names = sorted({c.name for c in communes if c.is_current})
    shown = ", ".join(names[:5])
    return shown + (" …" if len(names) > 5 else "")


def birthplace_problems(c) -> list[tuple[str, str]]:
    """The birthplace rules: Pix's combinations, then the referentials of communes and
    countries."""
    problems: list[tuple[str, str]] = []
    country = (c.birth_country or "").strip()
    insee = (c.birth_insee_code or "").strip()
    postal = (c.birth_postal_code or "").strip()
    city = (c.birth_city or "").strip()
    if not country:
        problems.append(("birth_country", _("Le pays de naissance est obligatoire.")))
    elif is_born_in_france(country):
        if insee and (postal or city):
            problems.append(
                (
                    "birth_insee_code",
                    _(
                        "Né en France : indiquez soit le code INSEE seul, soit le code postal "
                        "et la commune, jamais les deux."
                    ),
                )
            )
        elif insee:
            if not INSEE_RE.match(insee) or insee == ABROAD_INSEE:
                problems.append(
                    ("birth_insee_code", _("Le code INSEE de la commune doit avoir 5 caractères."))
                )
            elif birthplaces.commune(insee) is None:
                problems.append(
                    (
                        "birth_insee_code",
                        _(
                            "Aucune commune n’a le code INSEE « %(code)s » dans le référentiel "
                            "officiel des communes : vérifiez-le, ou indiquez plutôt le code "
                            "postal et la commune."
                        )
                        % {"code": insee},
                    )
                )
        elif postal or city:
            if not POSTAL_RE.match(postal):
                problems.append(
                    ("birth_postal_code", _("Le code postal doit comporter 5 chiffres."))
                )
            elif not birthplaces.communes_with_postal_code(postal):
                problems.append(
                    (
                        "birth_postal_code",
                        _("Le code postal « %(postal)s » n’existe pas.") % {"postal": postal},
                    )
                )
            elif city and birthplaces.commune_named(postal, city) is None:
                problems.append(
                    (
                        "birth_city",
                        _(
                            "« %(city)s » n’a pas le code postal %(postal)s, qui est celui de : "
                            "%(communes)s. Vérifiez le code postal ou le nom de la commune."
                        )
                        % {
                            "city": city,
                            "postal": postal,
                            "communes": _commune_list(
                                birthplaces.communes_with_postal_code(postal)
                            ),
                        },
                    )
                )
            if not city:
                problems.append(
                    ("birth_city", _("La commune de naissance accompagne le code postal."))
                )
        else:
            problems.append(
                (
                    "birth_insee_code",
                    _("Indiquez le code INSEE ou le code postal et la commune de naissance."),
                )
            )
    else:
        if birthplaces.is_french_department(country):
            problems.append(
                (
                    "birth_country",
                    _(
                        "« %(country)s » est en France : indiquez « France » comme pays, et la "
                        "commune de naissance."
                    )
                    % {"country": country},
                )
            )
        elif birthplaces.country(country) is None:
            suggestion = birthplaces.country_suggestion(country)
            if suggestion:
                message = _(
                    "Pays inconnu : « %(country)s ». Vouliez-vous dire « %(suggestion)s » ?"
                ) % {"country": country, "suggestion": suggestion}
            else:
                message = _(
                    "Pays inconnu : « %(country)s ». Écrivez le nom du pays en français, par "
                    "exemple « Maroc » ou « Royaume-Uni »."
                ) % {"country": country}
            problems.append(("birth_country", message))
        if insee and insee != ABROAD_INSEE:
            problems.append(
                ("birth_insee_code", _("Né à l’étranger : le code INSEE est 99 ou vide."))
            )
        if postal:
            problems.append(
                ("birth_postal_code", _("Né à l’étranger : le code postal doit rester vide."))
            )
        if not city:
            problems.append(
                ("birth_city", _("Né à l’étranger : la ville de naissance est obligatoire."))
            )
    return problems


def official_birthplace(c) -> dict[str, str]:
    """The birthplace as the referentials spell it, for the fields that should change: the
    country's French name (« maroc » → « Maroc »), ``99`` as the INSEE code of a birth abroad
    (Pix refuses an empty one), the commune's official name when it was recognised by its
    postal code (« st etienne » stays, « saint-etienne » → « Saint-Étienne »). Nothing is
    guessed: an unknown place is left as typed, for ``birthplace_problems`` to report."""
    changes: dict[str, str] = {}
    country = (c.birth_country or "").strip()
    if not country:
        return changes
    if is_born_in_france(country):
        if country != FRANCE:
            changes["birth_country"] = FRANCE
        postal = (c.birth_postal_code or "").strip()
        city = (c.birth_city or "").strip()
        if postal and city and not (c.birth_insee_code or "").strip():
            found = birthplaces.commune_named(postal, city)
            same = found is not None and birthplaces.normalise(found.name) == (
                birthplaces.normalise(city)
            )
            if same and found.name != city:
                changes["birth_city"] = found.name
        insee = (c.birth_insee_code or "").strip()
        if insee and insee != insee.upper():
            changes["birth_insee_code"] = insee.upper()
        return changes
    known = birthplaces.country(country)
    if known is not None:
        if known.name != country:
            changes["birth_country"] = known.name
        if not (c.birth_insee_code or "").strip():
            changes["birth_insee_code"] = ABROAD_INSEE
    return changes
