"""Punctuation that differs between the languages of the interface.

French puts a (no-break) space before « : » and English does not: a label followed by a colon
written as ``{% translate "Surveillants" %} :`` in a template leaks the French space into the
English page. Write ``{% translate "Surveillants" %}{% colon %}`` (``{% load pixcentre_text %}``)
or ``with_colon(label)`` in Python instead.
"""

from django.utils.translation import get_language


def colon() -> str:
    """« : » after a word, as the active language writes it (a plain space in French, as the
    rest of the French interface writes it)."""
    return " :" if (get_language() or "fr").startswith("fr") else ":"


def with_colon(label: str, text: str = "") -> str:
    """``label`` and its colon, then ``text`` if any: « Salle : 2E08 » / "Room: 2E08"."""
    return f"{label}{colon()} {text}".rstrip() if text else f"{label}{colon()}"
