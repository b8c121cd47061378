"""Reading what the university's directory says about a person (CAS 3 attributes, SUPANN names).

No database here: :func:`read_person` turns the attributes of a validated CAS ticket into a
:class:`DirectoryPerson`, or raises :class:`DirectoryError` with a message for the person
signing in. Attribute names are SUPANN's; a CAS that releases them under other names is
mapped by ``CAS_RENAME_ATTRIBUTES`` before this module sees them (candidates/cas.py).

* ``uid`` (or the CAS user) — the university account;
* ``mail`` — the account's email;
* ``givenName``, ``sn`` — first name, last name;
* ``supannEtuId`` — the student number: the Pix Orga ``Numéro Étudiant`` and the Pix Certif
  external id;
* ``supannEtuCursusAnnee`` — multi-valued, ``{SUPANN}L3``, ``{SUPANN}M1``…: the study year
  (the highest when there are several);
* ``supannEtuEtape`` — the programme (étape Apogée/Pégase);
* ``eduPersonAffiliation`` — ``student`` makes a student candidate; ``staff``, ``employee``
  or ``faculty`` a staff candidate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

STUDENT = "student"
STAFF = "staff"
STAFF_AFFILIATIONS = ("staff", "employee", "faculty")
# "{SUPANN}L3", "L3", "{SUPANN}D2": a cursus letter and a year.
CURSUS = re.compile(r"^(?:\{SUPANN\})?([A-Z])(\d{1,2})$", re.IGNORECASE)
STUDENT_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# Highest first: a student in two programmes counts at the higher level.
YEAR_RANK = {"D": 7, "M2": 6, "M1": 5, "L3": 4, "L2": 3, "L1": 2, "other": 1}


class DirectoryError(Exception):
    """The directory's attributes cannot make an account; the message says why."""


@dataclass(frozen=True)
class DirectoryPerson:
    username: str
    email: str
    first_name: str
    last_name: str
    kind: str  # STUDENT or STAFF
    student_number: str = ""
    study_year: str = ""  # a candidates.models.StudyYear value, or ""
    programme: str = ""
    affiliations: tuple[str, ...] = ()


def values(attributes: Mapping, name: str) -> list[str]:
    """An attribute's values as a list of non-empty stripped strings (CAS 3 sends one value
    as a string, several as a list)."""
    raw = attributes.get(name)
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raw = [raw]
    return [str(v).strip() for v in raw if v is not None and str(v).strip()]


def first(attributes: Mapping, name: str) -> str:
    found = values(attributes, name)
    return found[0] if found else ""


def study_year(cursus_values: list[str]) -> str:
    """``["{SUPANN}L3", "{SUPANN}M1"]`` → ``"M1"``. Licence and master years map to L1–M2, a
    doctorate (``D``) to ``D``, any other cursus to ``other``. Raises DirectoryError on a value
    that is not a SUPANN cursus year."""
    best = ""
    for value in cursus_values:
        match = CURSUS.match(value)
        if not match:
            raise DirectoryError(
                _("L’annuaire de l’université donne une année d’études illisible (« %(v)s »).")
                % {"v": value[:40]}
            )
        letter, number = match.group(1).upper(), int(match.group(2))
        if (letter, number) in (("L", 1), ("L", 2), ("L", 3), ("M", 1), ("M", 2)):
            year = f"{letter}{number}"
        elif letter in ("L", "M"):
            raise DirectoryError(
                _("L’annuaire de l’université donne une année d’études illisible (« %(v)s »).")
                % {"v": value[:40]}
            )
        elif letter == "D":
            year = "D"
        else:
            year = "other"
        if not best or YEAR_RANK[year] > YEAR_RANK[best]:
            best = year
    return best


def read_person(username: str, attributes: Mapping | None) -> DirectoryPerson:
    """What the directory says, checked. Raises DirectoryError (nothing is created then)."""
    attributes = attributes or {}
    missing = _(
        "L’annuaire de l’université n’a pas transmis %(what)s : impossible d’ouvrir "
        "votre espace. Le centre Pix peut vous aider."
    )
    username = (first(attributes, "uid") or username or "").strip()
    if not username or len(username) > 150:
        raise DirectoryError(missing % {"what": _("votre identifiant")})
    email = first(attributes, "mail").lower()
    if not email:
        raise DirectoryError(missing % {"what": _("votre adresse e-mail")})
    try:
        validate_email(email)
    except ValidationError:
        raise DirectoryError(
            _("L’annuaire de l’université donne une adresse e-mail invalide (« %(v)s »).")
            % {"v": email[:80]}
        ) from None
    given, surname = first(attributes, "givenName"), first(attributes, "sn")
    if not given or not surname:
        raise DirectoryError(missing % {"what": _("vos nom et prénom")})
    affiliations = tuple(v.lower() for v in values(attributes, "eduPersonAffiliation"))
    if STUDENT in affiliations:
        kind = STUDENT
    elif any(a in affiliations for a in STAFF_AFFILIATIONS):
        kind = STAFF
    elif not affiliations:
        raise DirectoryError(missing % {"what": _("votre statut (étudiant ou personnel)")})
    else:
        raise DirectoryError(
            _(
                "Votre compte université n’est ni étudiant ni personnel (%(a)s) : la "
                "certification vous est ouverte comme candidat externe, avec un compte par "
                "adresse e-mail."
            )
            % {"a": ", ".join(affiliations)[:80]}
        )
    number, year = "", ""
    if kind == STUDENT:
        number = first(attributes, "supannEtuId")
        if not number:
            raise DirectoryError(missing % {"what": _("votre numéro étudiant")})
        if not STUDENT_NUMBER.match(number):
            raise DirectoryError(
                _("L’annuaire de l’université donne un numéro étudiant illisible (« %(v)s »).")
                % {"v": number[:40]}
            )
        year = study_year(values(attributes, "supannEtuCursusAnnee"))
    return DirectoryPerson(
        username=username,
        email=email,
        first_name=given[:100],
        last_name=surname[:100],
        kind=kind,
        student_number=number,
        study_year=year,
        programme=first(attributes, "supannEtuEtape")[:200] if kind == STUDENT else "",
        affiliations=affiliations,
    )
