"""Finding candidates by name, student number or email, ignoring accents and case.

Each word typed must appear in the candidate's folded ``search_text`` (names, student number,
convocation email) or in their account's email. The same code on SQLite and PostgreSQL: the
folding happens in Python (``accounts.text.fold``) on both sides, and ``contains`` on
already-folded text needs no collation, ``unaccent`` nor ``ILIKE``.
"""

from django.db.models import Q

from accounts.text import search_words

MAX_WORDS = 6


def search(queryset, query: str):
    """``queryset`` narrowed to the candidates matching every word of ``query``."""
    for word in search_words(query)[:MAX_WORDS]:
        queryset = queryset.filter(Q(search_text__contains=word) | Q(user__email__icontains=word))
    return queryset


def by_name(queryset):
    """Alphabetical order as a person expects it (« BOYER » after « Benali », « Élodie » with
    the E)."""
    return queryset.order_by("sort_name", "pk")
