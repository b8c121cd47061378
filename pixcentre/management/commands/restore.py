"""Restore an archive made by ``manage.py backup``: the database and the stored files are
replaced by the archive's (pixcentre/backups.py).

    manage.py restore /backups/pixcentre-2026-12-01.tar.gz
    manage.py restore --noinput - < pixcentre.tar.gz   # from standard input
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from pixcentre import backups


class Command(BaseCommand):
    help = "Replace the database and the stored files by those of a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive to read, or - for standard input")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="do not ask for confirmation",
        )  # fmt: skip

    def handle(self, *args, archive, interactive, **options):
        if interactive:
            if archive == "-":
                raise CommandError("reading the archive from standard input needs --noinput")
            answer = input(
                "Everything in the database and in MEDIA_ROOT will be replaced by the "
                f"contents of {archive}. Type 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("restore cancelled")
        try:
            if archive == "-":
                manifest = backups.restore(sys.stdin.buffer)
            else:
                with open(archive, "rb") as source:
                    manifest = backups.restore(source)
        except OSError as error:
            raise CommandError(str(error)) from error
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the {manifest['database']} database and {manifest['media_files']} "
            f"stored files of {manifest['created_at']}."
        )
