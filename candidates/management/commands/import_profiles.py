"""``manage.py import_profiles FILE [--dry-run]``: import a Pix Orga profile export.

Exit code 0 when imported (or when the dry run would import), 1 when rows are wrong (each
problem on stderr: line, column, value, reason), 2 when the file is not a Pix export, 3 when
the database refused the import (nothing imported). Rows imported that need a check (a
student number known under another name) are listed on stderr as warnings.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from candidates import services
from candidates.models import ImportStatus


class Command(BaseCommand):
    help = "Importe un export Pix Orga de campagne de collecte de profils."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="valide et compte sans rien enregistrer"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Impossible de lire {file} : {exc.strerror}.") from exc
        result = services.import_profiles(data, file_name=file.name, dry_run=dry_run)
        if result.status == ImportStatus.FAILED:
            self.stderr.write(result.error_message)
            raise SystemExit(3)
        if result.status == ImportStatus.REFUSED:
            self.stderr.write(result.error_message)
            for p in result.error_report:
                self.stderr.write(
                    f"ligne {p['line']} ; colonne « {p['column']} » ; valeur « {p['value']} » ; "
                    f"{p['reason']}"
                )
            raise SystemExit(1 if result.error_report else 2)
        prefix = "Simulation — rien n’a été enregistré : " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.total_rows} ligne(s) ; profils créés : {result.created_count}, "
            f"mis à jour : {result.updated_count}, inchangés : {result.unchanged_count}, "
            f"sans profil partagé : {result.without_profile_count} ; "
            f"candidats créés : {result.candidates_created_count}."
        )
        for w in result.warnings:
            self.stderr.write(
                f"à vérifier : ligne {w['line']} ; colonne « {w['column']} » ; "
                f"valeur « {w['value']} » ; {w['reason']}"
            )
