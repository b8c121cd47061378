"""The WSGI application gunicorn serves (and ``runserver``, through ``WSGI_APPLICATION``).

Each process reads the official referentials of birthplaces as it starts
(``candidates.birthplaces.preload``): every identity check and apply POST needs them, and
read on first use they made the first such request of each worker wait 0.3 to 3 s.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixcentre.settings")
application = get_wsgi_application()

from candidates import birthplaces  # noqa: E402 (Django is set up by the line above)

birthplaces.preload()
