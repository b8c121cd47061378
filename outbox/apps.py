from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Tâches en attente d'envoi"

    def ready(self):
        from . import signals  # noqa: F401  (a worker that starts publishes what waited)
