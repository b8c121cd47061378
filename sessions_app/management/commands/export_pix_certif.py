"""``manage.py export_pix_certif SESSION_ID [SESSION_ID…] --format csv|ods -o FILE``.

Writes the Pix Certif mass-import CSV (any number of sessions) or one session's candidate list
ODS. When a candidate breaks one of Pix's rules nothing is written: the reasons go to stderr
and the exit code is 1.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions_app.models import Session
from sessions_app.services import exports


class Command(BaseCommand):
    help = "Export sessions' confirmed candidates to Pix Certif (mass-import CSV or ODS list)."

    def add_arguments(self, parser):
        parser.add_argument("session_ids", nargs="+", type=int)
        parser.add_argument("--format", choices=[exports.CSV, exports.ODS], default=exports.CSV)
        parser.add_argument("-o", "--output", required=True, help="file to write")
        parser.add_argument(
            "--invigilator",
            action="append",
            default=[],
            help="invigilator name, for sessions without assigned invigilators (repeatable)",
        )

    def handle(self, *args, session_ids, format, output, invigilator, **options):
        sessions = list(Session.objects.filter(pk__in=session_ids).select_related("room"))
        missing = set(session_ids) - {s.pk for s in sessions}
        if missing:
            raise CommandError(f"Unknown session(s): {', '.join(map(str, sorted(missing)))}")
        sessions.sort(key=lambda s: session_ids.index(s.pk))
        if format == exports.ODS and len(sessions) != 1:
            raise CommandError("The ODS candidate list holds one session: give one SESSION_ID.")
        export = exports.prepare(sessions, invigilators=invigilator)
        if export.problems:
            for p in export.problems:
                where = f"session {p.session.pk} · {p.who} · {p.field}" if p.session else "file"
                self.stderr.write(f"{where}: {p.message}")
            self.stderr.write(
                f"{len(export.problems)} problem(s): nothing written. Fix them and export again."
            )
            sys.exit(1)
        data = (
            exports.mass_import_csv(export)
            if format == exports.CSV
            else exports.candidate_list_ods(export)
        )
        Path(output).write_bytes(data)
        n = sum(len(regs) for _s, regs, _cs, _c in export.items)
        self.stdout.write(f"{output}: {n} candidate(s) in {len(sessions)} session(s).")
