"""Delete attendance sheets and fraud reports older than ``PIX_DOCUMENT_RETENTION_DAYS``."""

from django.core.management.base import BaseCommand

from sessions_app.services.attendance import purge_documents


class Command(BaseCommand):
    help = "Delete attendance sheets and fraud reports kept longer than the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="override PIX_DOCUMENT_RETENTION_DAYS"
        )

    def handle(self, *args, **options):
        result = purge_documents(days=options["days"])
        self.stdout.write(
            f"{result['attendance_sheets']} attendance sheet(s) and "
            f"{result['fraud_reports']} fraud report(s) deleted."
        )
