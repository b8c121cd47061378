"""The accessibility statement (RGAA) and the conformity mention in every footer."""

import re

import pytest
from django.test import override_settings

from pixcentre.accessibility import conformity


@pytest.mark.parametrize(
    ("rate", "level"),
    [(None, "none"), (0, "none"), (49.9, "none"), (50, "partial"), (99.5, "partial"),
     (100, "full")],
)  # fmt: skip
def test_the_level_follows_the_audit_rate_and_no_audit_is_not_conformant(rate, level):
    assert conformity(rate) == level


@pytest.mark.django_db
def test_every_footer_states_the_conformity_and_links_to_the_statement(client):
    page = client.get("/referentiel/").content.decode()
    assert "Accessibilité : non conforme" in page
    assert 'href="/accessibilite/"' in page
    assert 'href="/accessibilite/?page=/referentiel/#signaler"' in page


@pytest.mark.django_db
def test_the_statement_says_there_was_no_audit_and_how_to_report_a_barrier(client, settings):
    settings.PIX_ACCESSIBILITY_CONTACT_EMAIL = "accessibilite@univ-avignon.fr"
    response = client.get("/accessibilite/", {"page": "/sessions/offre/"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Ce site est non conforme" in text
    assert "pas encore fait l’objet d’un audit" in text
    # The report link writes to the accessibility contact and names the page concerned.
    assert "mailto:accessibilite@univ-avignon.fr?subject=" in text
    assert "http%3A//testserver/sessions/offre/" in _report_link(text)
    assert "Défenseur des droits" in text


def _report_link(text: str) -> str:
    return re.search(r'href="([^"]*)" data-testid="report-barrier"', text).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["https://evil.example/x", "//evil.example/x"])
def test_a_page_parameter_off_the_site_is_ignored(client, page):
    text = client.get("/accessibilite/", {"page": page}).content.decode()
    assert "evil" not in _report_link(text)
    assert "Page concernée" not in text


@pytest.mark.django_db
@override_settings(PIX_ACCESSIBILITY_AUDIT_DATE=None, PIX_ACCESSIBILITY_AUDIT_RATE=None)
def test_an_audit_gives_its_date_and_rate(client, settings):
    import datetime as dt

    settings.PIX_ACCESSIBILITY_AUDIT_DATE = dt.date(2027, 3, 15)
    settings.PIX_ACCESSIBILITY_AUDIT_RATE = 76.5
    text = client.get("/accessibilite/").content.decode()
    assert "partiellement conforme" in text
    assert "15 mars 2027" in text and "76,5 %" in text
    assert "Accessibilité : partiellement conforme" in text


@pytest.mark.django_db
def test_the_statement_is_in_english_too(client):
    client.cookies["django_language"] = "en"
    text = client.get("/accessibilite/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Accessibility statement" in text
    assert "Accessibility: non-compliant" in text
