"""Demo data of sessions_app (``manage.py seed_demo``), one module per part of the centre."""
