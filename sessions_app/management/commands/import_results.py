"""Import a Pix Certif results export (all or nothing); exit status 1 with the report on
stderr when the file is refused."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Import a Pix Certif certification results export (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        from sessions_app.services import results

        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            record = results.import_results(file.read_bytes(), file_name=file.name)
        except results.ResultsImportError as error:
            for p in error.problems:
                self.stderr.write(f"line {p['line']} [{p['column']}] {p['value']!r}: {p['reason']}")
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{record.line_count} results imported: {record.created_count} created, "
            f"{record.updated_count} updated."
        )
