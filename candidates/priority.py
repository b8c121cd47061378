"""Priority tiers (DESIGN.md, "Priority and quota"). Pure: no database.

(a) a student in L3, M1 or M2 whose average positioning level is at least 5;
(b) a student who completed both preparation units, UEO Pix1 and Pix2.
Our ranking: tier 1 = (a) and (b), tier 2 = (a) or (b), tier 3 = neither. The reason is
written for the candidate, in words they understand.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from competences.scoring import format_average

PRIORITY_YEARS = ("L3", "M1", "M2")
MIN_AVERAGE = Decimal(5)


def priority(
    *,
    kind: str,
    study_year: str,
    average_level: Decimal | None,
    completed_units: set[str],
) -> tuple[int, str]:
    """(tier, reason) for one candidate; ``completed_units`` holds ``pix1`` / ``pix2``."""
    is_student = kind == "student"
    year_ok = is_student and study_year in PRIORITY_YEARS
    level_ok = average_level is not None and average_level >= MIN_AVERAGE
    a = year_ok and level_ok
    b = is_student and {"pix1", "pix2"} <= completed_units
    tier = 1 if a and b else 2 if a or b else 3

    parts = []
    if not is_student:
        parts.append(_("La priorité est réservée aux étudiants de l’université."))
    else:
        if average_level is None:
            level_text = _("vous n’avez pas encore partagé de profil de positionnement sur Pix")
        else:
            level_text = _(
                "votre niveau moyen de positionnement est de %(avg)s sur 16 compétences"
            ) % {"avg": format_average(average_level)}
        if a:
            parts.append(
                _("Vous êtes en %(year)s et %(level)s (5 ou plus demandé) : critère atteint.")
                % {"year": study_year, "level": level_text}
            )
        elif year_ok:
            parts.append(
                _("Vous êtes en %(year)s mais %(level)s : il faut au moins 5 pour ce critère.")
                % {"year": study_year, "level": level_text}
            )
        else:
            parts.append(
                _(
                    "Le critère de niveau ne concerne que les étudiants de L3, M1 et M2 avec un "
                    "niveau moyen d’au moins 5 ; %(level)s."
                )
                % {"level": level_text}
            )
        if b:
            parts.append(_("Vous avez validé les deux UEO Pix1 et Pix2 : critère atteint."))
        else:
            missing = [
                label
                for code, label in (("pix1", "Pix1"), ("pix2", "Pix2"))
                if code not in completed_units
            ]
            parts.append(
                _("UEO non validée(s) : %(units)s (les 7 parcours de chaque UEO sont demandés).")
                % {"units": ", ".join(missing)}
            )
    if tier == 1:
        summary = _("Priorité 1 : vous remplissez les deux critères.")
    elif tier == 2:
        summary = _("Priorité 2 : vous remplissez un des deux critères.")
    else:
        summary = _("Priorité 3 : vous ne remplissez aucun des deux critères de priorité.")
    return tier, " ".join([summary, *parts])


WEAK_AVERAGE = Decimal(3)


def profile_advice(
    levels: dict[str, int] | None, titles: dict[str, str], *, max_level: int
) -> list[str]:
    """Advice for a candidate whose profile is too weak to reach high levels in 1h45: the test
    starts around the positioned level and climbs at most a level or so in that time."""
    if not levels:
        return [
            _(
                "Vous n’avez pas encore de profil de positionnement : rejoignez sur Pix la "
                "campagne de collecte de profils de l’université et envoyez votre profil."
            )
        ]
    tips = []
    count = sum(1 for level in levels.values() if level >= 1)
    if count < 5:
        tips.append(
            _(
                "Votre profil n’est pas certifiable : il faut au moins 5 compétences au niveau 1 "
                "ou plus (vous en avez %(n)s). Continuez vos tests de positionnement sur Pix."
            )
            % {"n": count}
        )
    average = Decimal(sum(levels.values())) / max(len(titles), 1)
    if average < WEAK_AVERAGE:
        tips.append(
            _(
                "Votre profil est encore faible : en 1h45, la certification part de votre "
                "niveau de positionnement et ne peut pas vous emmener jusqu’aux niveaux élevés "
                "(%(max)s). Progressez sur Pix avant de vous présenter : votre score n’en sera "
                "que meilleur."
            )
            % {"max": max_level}
        )
        weakest = sorted(titles, key=lambda code: (levels.get(code, 0), code))[:3]
        tips.append(
            _("Travaillez d’abord : %(list)s.")
            % {
                "list": " ; ".join(
                    _("%(code)s %(title)s (niveau %(level)s)")
                    % {"code": code, "title": titles[code], "level": levels.get(code, 0)}
                    for code in weakest
                )
            }
        )
    return tips
