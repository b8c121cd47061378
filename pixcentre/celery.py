"""The Celery application.

With no broker configured (the embedded default) tasks run in-process
(``task_always_eager``); with ``CELERY_BROKER_URL`` or ``REDIS_URL`` they go to Redis and run
in ``make worker``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixcentre.settings")

app = Celery("pixcentre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
