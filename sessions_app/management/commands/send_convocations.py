"""Generate and email a session's convocations (the same task as the administrator's button).

Safe to run again: convocations already sent are not sent twice, the rest are finished.
"""

from django.core.management.base import BaseCommand, CommandError

from sessions_app.models import Session


class Command(BaseCommand):
    help = "Generate and send the convocations of one session (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int)

    def handle(self, *args, session_id, **options):
        from sessions_app.services import convocations
        from sessions_app.tasks import send_session_convocations

        session = Session.objects.filter(pk=session_id).first()
        if session is None:
            raise CommandError(f"No session {session_id}.")
        # Run here, in this process, and wait: the command needs the count. The emails it
        # queues go through the outbox like the button's.
        result = send_session_convocations.apply(args=(session_id,)).get()
        if "queued" not in result:
            raise CommandError(
                f"Session {session} is {session.get_status_display()}: not convened."
            )
        progress = convocations.progress(session)
        self.stdout.write(
            f"Session {session}: {result['queued']} queued; "
            f"{progress['generated']}/{progress['total']} generated, "
            f"{progress['sent']}/{progress['total']} sent, {progress['failed']} failed."
        )
