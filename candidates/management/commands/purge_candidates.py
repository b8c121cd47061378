"""``manage.py purge_candidates --before DATE``: anonymise inactive candidates, keep statistics."""

import datetime as dt
import zoneinfo

from django.core.management.base import BaseCommand, CommandError

from candidates import services


class Command(BaseCommand):
    help = (
        "Anonymise les candidats dont la dernière activité est antérieure à la date donnée "
        "(les statistiques sont conservées)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="date AAAA-MM-JJ")
        parser.add_argument(
            "--with-deletion-requests",
            action="store_true",
            help="anonymise aussi les candidats qui ont demandé la suppression de leurs données",
        )

    def handle(self, *args, before: str, with_deletion_requests: bool, **options):
        try:
            day = dt.date.fromisoformat(before)
        except ValueError as exc:
            raise CommandError("--before attend une date AAAA-MM-JJ.") from exc
        limit = dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
        count = services.purge_candidates(
            before=limit, include_deletion_requests=with_deletion_requests
        )
        self.stdout.write(f"{count} candidat(s) anonymisé(s).")
