import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from sessions_app import services
from sessions_app.models import Registration, SessionStatus
from sessions_app.tasks import allocate_campaign_task

from .conftest import NOW, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_campaign(year, room, administrator, eligible_student, eligible_external):
    session = make_session(year, room, status=SessionStatus.DRAFT, capacity=1)
    campaign = services.create_campaign(
        acting_user=administrator, academic_year=year, name="Automne",
        opens_at=NOW - dt.timedelta(days=3), closes_at=NOW + dt.timedelta(days=1),
        sessions=[session], now=NOW,
    )  # fmt: skip
    services.apply_for_campaign(
        campaign, eligible_student.candidate, [session.pk], acting_user=eligible_student, now=NOW
    )
    campaign.closes_at = NOW - dt.timedelta(days=1)
    campaign.save()
    return campaign


def test_the_task_allocates_once_and_a_second_run_sends_nothing(
    closed_campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = allocate_campaign_task.delay(closed_campaign.pk).get()
    assert first == {
        "campaign": closed_campaign.pk,
        "status": "allocated",
        "confirmed": 1,
        "waitlisted": 0,
    }
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        second = allocate_campaign_task.delay(closed_campaign.pk).get()
    assert second["status"] == "already_allocated"
    assert len(mail.outbox) == 1
    assert Registration.objects.count() == 1


def test_allocate_command_dry_run_then_real(closed_campaign):
    out = StringIO()
    call_command("allocate", str(closed_campaign.pk), "--dry-run", stdout=out)
    assert "1 seats would be confirmed" in out.getvalue()
    assert "MARTIN Léa" in out.getvalue()
    assert Registration.objects.count() == 0
    out = StringIO()
    call_command("allocate", str(closed_campaign.pk), stdout=out)
    assert "1 seats were confirmed" in out.getvalue()
    assert Registration.objects.count() == 1


def test_allocate_command_refuses_an_unknown_or_open_campaign(closed_campaign):
    with pytest.raises(CommandError, match="No campaign"):
        call_command("allocate", "999999")
    closed_campaign.closes_at = NOW.replace(year=2099)
    closed_campaign.save()
    with pytest.raises(CommandError, match="encore ouverte"):
        call_command("allocate", str(closed_campaign.pk))
