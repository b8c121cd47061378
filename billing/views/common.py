"""What several billing pages share: the academic year a page shows."""

from django.http import Http404
from django.utils import timezone

from candidates.models import AcademicYear
from pixcentre.filters import YearLabelFilters


def chosen_year(request, label=None):
    """(years, chosen year): the asked one, else the year containing today, else the latest.

    One query: the years are read once and chosen among in Python.
    """
    years = list(AcademicYear.objects.all())
    if label is None:
        form = YearLabelFilters(request.GET)
        label = form.values().get("annee")
        if form.errors:
            raise Http404  # no year has such a label (NUL, too long)
    if label:
        for year in years:
            if year.label == label:
                return years, year
        raise Http404
    today = timezone.localdate()
    current = [y for y in years if y.start_date <= today <= y.end_date]
    return years, (current[0] if current else (years[0] if years else None))
