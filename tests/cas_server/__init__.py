"""A real CAS 3 server for the tests and the load benchmark: django-cas-server in a process of
its own, on loopback, with its own settings and SQLite database (see ``process.py``)."""
