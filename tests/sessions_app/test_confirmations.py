"""Every irreversible action asks first on a page of its own (no JavaScript needed): the
page says what will happen and re-posts the same fields with ``confirmed=1``."""

import pytest
from django.urls import reverse

from sessions_app.models import Session, SessionStatus

from .conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "status, words",
    [("cancelled", "ne rouvre pas"), ("held", "Elle ne pourra plus rouvrir")],
)
def test_an_irreversible_status_change_asks_first(client, administrator, year, room, status, words):
    session = make_session(year, room, status=SessionStatus.CLOSED)
    client.force_login(administrator)
    url = reverse("sessions_app:session_status", args=[session.pk])
    response = client.post(url, {"status": status})
    html = response.content.decode()
    assert response.status_code == 200 and words in html
    assert f'<input type="hidden" name="status" value="{status}">' in html
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert f'href="{reverse("sessions_app:session", args=[session.pk])}"' in html  # Annuler
    assert Session.objects.get(pk=session.pk).status == SessionStatus.CLOSED
    response = client.post(url, {"status": status, "confirmed": "1"})
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).status == status


def test_a_reversible_status_change_needs_no_confirmation(client, administrator, year, room):
    session = make_session(year, room, status=SessionStatus.OPEN)
    client.force_login(administrator)
    response = client.post(
        reverse("sessions_app:session_status", args=[session.pk]), {"status": "closed"}
    )
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).status == SessionStatus.CLOSED


def test_the_confirmation_page_is_accessible_markup(client, administrator, year, room):
    session = make_session(year, room, status=SessionStatus.CLOSED)
    client.force_login(administrator)
    html = client.post(
        reverse("sessions_app:session_status", args=[session.pk]), {"status": "cancelled"}
    ).content.decode()
    assert "<h1" in html and 'data-testid="confirm-question"' in html
    form = html[html.index('data-testid="confirm-question"') :]
    assert 'name="csrfmiddlewaretoken"' in form.split("</form>")[0]
