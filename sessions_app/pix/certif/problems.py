"""Every rule Pix applies to a session and its candidates, reported, never fixed
(``export_problems``; formats README, "Rules Pix applies to candidates")."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from candidates.pix_identity import identity_problems

from .records import (
    COMPLEMENTARY_LABELS,
    PRICING_PREPAID,
    PRICINGS,
    SESSION_INDEX,
    CertifCandidate,
    CertifSession,
    _complementary_labels_of,
    _is_formula_like,
)

# identity_problems speaks the candidate model's field names; the export speaks its own.
_IDENTITY_FIELD = {
    "birth_country": "country",
    "birth_insee_code": "insee_code",
    "birth_postal_code": "postal_code",
    "birth_city": "city",
}
_TEXT_FIELDS = (
    "birth_name",
    "first_name",
    "insee_code",
    "postal_code",
    "city",
    "country",
    "result_email",
    "convocation_email",
    "external_id",
    "prepaid_code",
)


def _identity(c: CertifCandidate) -> SimpleNamespace:
    return SimpleNamespace(
        birth_name=c.birth_name,
        first_name=c.first_name,
        sex=c.sex,
        birth_date=c.birth_date,
        birth_country=c.country,
        birth_insee_code=c.insee_code,
        birth_postal_code=c.postal_code,
        birth_city=c.city,
        extra_time_percent=c.extra_time_percent,
    )


def _formula_message() -> str:
    return _(
        "Cette valeur commence par =, +, -, @ ou une tabulation : un tableur l’exécuterait "
        "comme une formule. Corrigez-la avant l’export."
    )


def _duplicate_key(c: CertifCandidate):
    def norm(s):
        return " ".join((s or "").split()).casefold()

    return (norm(c.first_name), norm(c.birth_name), c.birth_date)


def session_problems(
    session: CertifSession, *, today: dt.date | None = None
) -> list[tuple[str, str]]:
    """What Pix would refuse in the session part of the mass import (``(field, message)``);
    with ``today``, a session in the past too."""
    problems: list[tuple[str, str]] = []
    if today is not None and session.date and session.date < today:
        problems.append(
            (
                "date",
                _(
                    "La session du %(date)s est passée : Pix refuse d’y inscrire des candidats "
                    "(SESSION_SCHEDULED_IN_THE_PAST)."
                )
                % {"date": session.date.strftime("%d/%m/%Y")},
            )
        )
    if (session.existing_number or "").strip():
        if not session.existing_number.strip().isdigit():
            problems.append(
                ("existing_number", _("Le numéro de session préexistante est un nombre."))
            )
        return problems
    if not (session.site or "").strip():
        problems.append(("site", _("Le nom du site est obligatoire.")))
    if not (session.room or "").strip():
        problems.append(("room", _("Le nom de la salle est obligatoire.")))
    if not session.date:
        problems.append(("date", _("La date de la session est obligatoire.")))
    if not session.time:
        problems.append(("time", _("L’heure de début de la session est obligatoire.")))
    invigilators = [i for i in (session.invigilators or []) if (i or "").strip()]
    if not invigilators:
        problems.append(("invigilators", _("Indiquez au moins un surveillant.")))
    for name in ("site", "room", "observations"):
        if _is_formula_like(getattr(session, name)):
            problems.append((name, _formula_message()))
    if any(_is_formula_like(i) for i in invigilators):
        problems.append(("invigilators", _formula_message()))
    return problems


def candidate_problems(
    c: CertifCandidate,
    *,
    complementary_labels: tuple[str, ...] = COMPLEMENTARY_LABELS,
    today: dt.date | None = None,
) -> list[tuple[str, str]]:
    """What Pix would refuse in one candidate (``(field, message)``), duplicates aside."""
    problems = [
        (_IDENTITY_FIELD.get(name, name), message)
        for name, message in identity_problems(_identity(c), today=today)
    ]
    for name in ("result_email", "convocation_email"):
        value = (getattr(c, name) or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                problems.append((name, _("Cette adresse e-mail n’est pas valide.")))
    pricing = (c.pricing or "").strip()
    code = (c.prepaid_code or "").strip()
    if not pricing:
        problems.append(
            (
                "pricing",
                _("La tarification part Pix est obligatoire (Gratuite, Payante ou Prépayée)."),
            )
        )
    elif pricing not in PRICINGS:
        problems.append(
            ("pricing", _("La tarification part Pix doit être Gratuite, Payante ou Prépayée."))
        )
    if pricing == PRICING_PREPAID and not code:
        problems.append(
            (
                "prepaid_code",
                _(
                    "Tarification Prépayée : le code de prépaiement est obligatoire "
                    "(par exemple SIRET/numéro de facture, 12345678912345/FACT12345)."
                ),
            )
        )
    elif pricing != PRICING_PREPAID and code:
        problems.append(
            (
                "prepaid_code",
                _("Le code de prépaiement ne se remplit que pour la tarification Prépayée."),
            )
        )
    labels = _complementary_labels_of(c.complementary)
    if len(labels) > 1:
        problems.append(
            ("complementary", _("Un candidat ne passe qu’une seule certification complémentaire."))
        )
    elif labels and labels[0] not in COMPLEMENTARY_LABELS:
        problems.append(
            (
                "complementary",
                _("Certification complémentaire inconnue : « %(label)s ».") % {"label": labels[0]},
            )
        )
    elif labels and labels[0] not in complementary_labels:
        problems.append(
            (
                "complementary",
                _("Le centre n’est pas habilité à la certification complémentaire « %(label)s ».")
                % {"label": labels[0]},
            )
        )
    for name in _TEXT_FIELDS:
        if _is_formula_like(getattr(c, name)):
            problems.append((name, _formula_message()))
    return problems


def export_problems(
    session: CertifSession,
    candidates: list[CertifCandidate],
    *,
    complementary_labels: tuple[str, ...] = COMPLEMENTARY_LABELS,
    today: dt.date | None = None,
) -> list[tuple[int, str, str]]:
    """Every rule Pix applies, as ``(candidate index, field, message)``; empty when the files
    can be sent as they are. Session problems use ``SESSION_INDEX`` (-1)."""
    problems = [(SESSION_INDEX, f, m) for f, m in session_problems(session, today=today)]
    first_seen: dict[tuple, int] = {}
    for index, c in enumerate(candidates):
        problems += [
            (index, f, m)
            for f, m in candidate_problems(
                c, complementary_labels=complementary_labels, today=today
            )
        ]
        key = _duplicate_key(c)
        if key[0] and key[1] and key[2]:
            if key in first_seen:
                problems.append(
                    (
                        index,
                        "birth_name",
                        _(
                            "Ce candidat est déjà inscrit à cette session (même nom, prénom "
                            "et date de naissance que le candidat n° %(n)s)."
                        )
                        % {"n": first_seen[key] + 1},
                    )
                )
            else:
                first_seen[key] = index
    return problems


def file_problems(items: list[tuple[CertifSession, list[CertifCandidate]]]) -> list[str]:
    """What makes Pix refuse a whole file: no candidate at all (INVALID_DOCUMENT)."""
    if not any(candidates for _session, candidates in items):
        return [
            _(
                "Aucun candidat inscrit dans ce que vous exportez : Pix refuse un fichier sans "
                "candidat. Inscrivez d’abord des candidats (ou confirmez leurs places)."
            )
        ]
    return []
