"""Days on which a session is unusual: Sundays and French public holidays (the ``holidays``
library, kept up to date by its maintainers: Easter Monday, Ascension and Whit Monday move each
year). Pure: no database."""

import datetime as dt
from functools import lru_cache

import holidays
from django.utils.translation import get_language
from django.utils.translation import gettext as _

SUNDAY = 6


@lru_cache(maxsize=32)
def _french_holidays(year: int, language: str):
    return holidays.France(years=year, language=language)


def unusual_day(day: dt.date) -> str | None:
    """Why ``day`` is not an ordinary working day (« dimanche », « Lundi de Pâques »…), or
    None. In the current language."""
    language = "en_US" if (get_language() or "fr").startswith("en") else "fr"
    name = _french_holidays(day.year, language).get(day)
    if name:
        return _("jour férié : %(name)s") % {"name": name}
    if day.weekday() == SUNDAY:
        return _("dimanche")
    return None
