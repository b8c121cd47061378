"""``{% load pixcentre_text %}`` then ``{% translate "Salle" %}{% colon %} …``: the colon as the
page's language writes it (pixcentre/text.py)."""

from django import template

from pixcentre import text

register = template.Library()


@register.simple_tag(name="colon")
def colon_tag():
    return text.colon()
