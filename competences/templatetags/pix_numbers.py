"""``{% load pix_numbers %}`` then ``{{ candidate.average_level|average }}``: the one way an
average level is shown (``competences.scoring.format_average``)."""

from django import template

from competences.scoring import format_average

register = template.Library()


@register.filter
def average(value):
    return format_average(value)
