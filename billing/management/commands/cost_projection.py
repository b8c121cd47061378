"""What-if projection of a year's costs and external revenue (same figures as the web page).

    manage.py cost_projection --sessions 30 --candidates 20 --extension --paying-sessions 3 --json

Without ``--year`` the seed's parameters are used; with it, that academic year's (the seed's too
when the year has none yet). ``--json`` prints amounts in euros as strings with 2 decimals.
"""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from billing import costs, services
from candidates.models import AcademicYear
from sessions_app import staffing

LABELS = [
    ("candidates", "Candidats dans l’année"),
    ("invigilators_per_session", "Surveillants par session"),
    ("minutes_per_session", "Minutes payées par session"),
    ("invigilator_hours", "Heures de surveillance"),
    ("variable_cost", "Coûts variables (€)"),
    ("fixed_cost", "Coûts fixes (€)"),
    ("total_cost", "Coût total (€)"),
    ("external_gross_revenue", "Frais perçus des externes (€)"),
    ("gip_share", "Reversement au GIP Pix (€)"),
    ("external_net_revenue", "Recettes externes nettes (€)"),
    ("balance", "Solde (€)"),
    ("paying_sessions_to_cover_variable", "Sessions payantes pour couvrir les coûts variables"),
    ("paying_sessions_to_cover_total", "Sessions payantes pour couvrir tous les coûts"),
]


def _plain(value):
    """JSON-ready: Decimals as strings with 2 places, dicts recursively."""
    if isinstance(value, Decimal):
        return str(costs.money(value))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _count(text):
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Projection des coûts d’une année : coûts variables et fixes, recettes externes, solde."

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=_count, required=True, help="sessions par an")
        parser.add_argument(
            "--candidates", type=_count, required=True, help="candidats par session"
        )
        parser.add_argument(
            "--extension", action="store_true", help="prolongation de 40 min (tiers-temps)"
        )
        parser.add_argument(
            "--paying-sessions", type=_count, default=0, help="sessions d’externes payants"
        )
        parser.add_argument(
            "--certification",
            default="",
            choices=["", "Pix", *staffing.TEST_MINUTES],
            help="certification passée (durée Pix 2026 : Pix 1 h 45, Pix+ Droit et Pro Santé "
            "45 min, Pix+ Édu 1 h 30) ; défaut : Pix",
        )
        parser.add_argument("--year", help="année universitaire (ex. 2025-2026)")
        parser.add_argument("--json", action="store_true", help="sortie JSON")

    def handle(self, *args, sessions, candidates, extension, paying_sessions, year, **options):
        academic_year = None
        if year:
            academic_year = AcademicYear.objects.filter(label=year).first()
            if academic_year is None:
                raise CommandError(f"Année universitaire inconnue : {year}")
        params = services.parameters_for_year(academic_year)
        try:
            result = costs.projection(
                sessions,
                candidates,
                extension,
                paying_sessions,
                params,
                certification=options["certification"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            output = _plain(result)
            output["year"] = academic_year.label if academic_year else None
            output["parameters"] = _plain(params.as_dict())
            self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))
            return
        source = f"paramètres {academic_year.label}" if academic_year else "valeurs par défaut"
        self.stdout.write(
            f"{sessions} sessions de {candidates} candidats"
            f" ({result['certification']}, épreuve de {result['test_minutes']} min)"
            f"{' avec prolongation' if extension else ''}, {paying_sessions} payante(s)"
            f" — {source}"
        )
        for key, label in LABELS:
            value = result[key]
            shown = "jamais" if value is None else _plain(value)
            self.stdout.write(f"  {label:<52} {shown:>10}")
