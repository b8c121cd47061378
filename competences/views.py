from django.shortcuts import render

from . import scoring
from .models import Area


def referential(request):
    """Public page: the 5 areas and 16 competences, with descriptions and themes."""
    areas = Area.objects.prefetch_related("competences")
    return render(
        request,
        "competences/referential.html",
        {
            "areas": areas,
            "max_level": scoring.max_level(),
            "pix_per_level": scoring.PIX_PER_LEVEL,
            "max_score": scoring.max_score(),
        },
    )
