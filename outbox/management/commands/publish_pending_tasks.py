from datetime import timedelta

from django.core.management.base import BaseCommand

from outbox.dispatch import sweep


class Command(BaseCommand):
    help = "Publish the background tasks that could not reach the broker (Redis) when made."

    def handle(self, *args, **options):
        result = sweep(grace=timedelta(0))
        self.stdout.write(
            f"{result['published']} task(s) published, {result['waiting']} still waiting."
        )
