"""Back up the database and the stored files into one archive (pixcentre/backups.py).

manage.py backup /backups/pixcentre-2026-12-01.tar.gz
manage.py backup - > pixcentre.tar.gz          # to standard output (docker compose exec -T)
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from pixcentre import backups


class Command(BaseCommand):
    help = "Back up the database and the stored files (MEDIA_ROOT) into a .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive to write, or - for standard output")

    def handle(self, *args, archive, **options):
        try:
            if archive == "-":
                manifest = backups.back_up(sys.stdout.buffer)
                sys.stdout.buffer.flush()
                out = self.stderr
            else:
                with open(archive, "xb") as output:  # never overwrite an older backup
                    manifest = backups.back_up(output)
                out = self.stdout
        except FileExistsError as error:
            raise CommandError(f"{archive} exists already: choose another name") from error
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        out.write(
            f"Backed up the {manifest['database']} database and "
            f"{manifest['media_files']} stored files."
        )
