from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PixcentreConfig(AppConfig):
    """The project package: wiring (urls, settings, Celery), home page, health, demo data."""

    name = "pixcentre"
    verbose_name = _("pixcentre")
