"""The demo centre shows invigilation: invigilators, assignments, an understaffed session and a
held session's roll call with incidents, and a second run adds nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import AuditEntry, Role, User
from sessions_app import services as invigilation
from sessions_app.demo.invigilation import INVIGILATORS
from sessions_app.models import PARIS, Assignment, Attendance, Incident, InvigilatorPeriod

pytestmark = pytest.mark.django_db
OURS = ("invigilator_assigned", "attendance_marked", "incident_reported")


def _counts():
    models = (Assignment, Attendance, Incident, InvigilatorPeriod)
    return [m.objects.count() for m in models] + [
        AuditEntry.objects.filter(action__in=OURS).count()
    ]


# Mid-semester (a Monday in November): some demo sessions are past, others to come.
@pytest.fixture(autouse=True)
def _mid_semester(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS), tick=True)


def test_demo_invigilation_is_seeded_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Invigilation: 4 invigilators" in out.getvalue()
    demo = User.objects.get(email="surveillant@demo.pixcentre.fr")
    assert User.objects.filter(role=Role.INVIGILATOR).count() >= 4
    assert Assignment.objects.filter(invigilator=demo).exists()
    assert InvigilatorPeriod.objects.filter(invigilator=demo).exists()
    assert Attendance.objects.filter(status="absent").exists()
    assert Attendance.objects.filter(status="present", identity_checked=True).exists()
    assert Incident.objects.filter(code="E4", question_number=12).exists()
    assert invigilation.understaffed_sessions()  # flagged on the administrators' home
    # Every demo invigilator works (an unavailability elsewhere does not hide Julie).
    for email, _first, _last in INVIGILATORS:
        assert Assignment.objects.filter(invigilator__email=email).exists(), email
    counts = _counts()
    assert counts[-1] > 0
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == counts
