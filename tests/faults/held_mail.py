"""An email backend for the worker-killed fault test: it writes messages like Django's file
backend, but once ``HELD_MAIL_FREE`` messages are in the directory (counted across processes),
every further message is held before it is written, for as long as the process lives. The test
then kills the worker at a moment it knows: every process is waiting, none is half-way between
the SMTP acceptance and the ``sent_at`` write."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class HeldFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        free = int(os.environ["HELD_MAIL_FREE"])
        if len(list(Path(self.file_path).glob("*"))) >= free:
            markers = Path(os.environ["HELD_MAIL_MARKERS"])
            markers.mkdir(exist_ok=True)
            (markers / str(os.getpid())).touch()
            while True:  # held until the worker is killed
                time.sleep(0.1)
        return super().send_messages(email_messages)
