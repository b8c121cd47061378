"""Pix's rules for a candidate's identity (formats README, "Rules Pix applies to candidates").

Pure: works on any object with the candidate's identity attributes, so that the identity form
(candidates) and the Pix Certif export (sessions_app) apply exactly the same rules. Each
problem is ``(field, message)`` with a French message a candidate understands.
"""

import datetime as dt
import re

from django.utils.translation import gettext as _

FRANCE = "France"
ABROAD_INSEE = "99"
MIN_BIRTH_DATE = dt.date(1900, 1, 1)
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
POSTAL_RE = re.compile(r"^\d{5}$")


def is_born_in_france(country: str) -> bool:
    return (country or "").strip().casefold() == FRANCE.casefold()


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
        elif postal or city:
            if not POSTAL_RE.match(postal):
                problems.append(
                    ("birth_postal_code", _("Le code postal doit comporter 5 chiffres."))
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
    extra = c.extra_time_percent
    if extra is not None and not (1 <= extra <= 99):
        problems.append(
            ("extra_time_percent", _("Le temps majoré est un pourcentage entier de 1 à 99."))
        )
    return problems
