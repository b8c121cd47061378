"""The centre's habilitations (issue 13): an administrator's setting, audited; Pix Certif files
carry exactly those columns, sessions offer only those, a candidate cannot choose another. And
what the export page reports and keeps: a session in the past, a file without candidates, who
went out."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from sessions_app import services
from sessions_app.models import (
    Complementary,
    ExportedCandidate,
    Habilitation,
    Registration,
    habilitated_codes,
    habilitated_labels,
)
from sessions_app.services import SessionError

from .conftest import NOW, make_candidate, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_droit_and_cpe(db):
    Habilitation.objects.exclude(code__in=["droit", "educpe"]).delete()


def seat(session, candidate=None, **extra):
    return Registration.objects.create(
        candidate=candidate or make_candidate(), session=session,
        academic_year=session.academic_year, status="confirmed", source="override",
        created_at=NOW, **extra,
    )  # fmt: skip


@pytest.mark.no_habilitations
def test_a_new_centre_has_no_habilitation():
    assert habilitated_codes() == []
    assert habilitated_labels() == ()


def test_pix_plus_edu_cpe_is_a_complementary_certification():
    assert Complementary("educpe").label == "Pix+ Édu CPE"
    assert list(Complementary.labels) == [
        "CléA Numérique", "Pix+ Droit", "Pix+ Édu 1er degré", "Pix+ Édu 2nd degré",
        "Pix+ Édu CPE", "Pix+ Pro Santé",
    ]  # fmt: skip


@pytest.mark.no_habilitations
def test_setting_the_habilitations_is_audited(administrator):
    services.set_habilitations(["educpe", "droit"], acting_user=administrator, now=NOW)
    assert habilitated_codes() == ["droit", "educpe"]  # Pix's column order
    entry = AuditEntry.objects.get(action="habilitations_updated")
    assert entry.actor == administrator
    assert entry.before == {"habilitations": []}
    assert entry.after == {"habilitations": ["Pix+ Droit", "Pix+ Édu CPE"]}
    services.set_habilitations(["droit"], acting_user=administrator, now=NOW)
    assert habilitated_codes() == ["droit"]
    assert AuditEntry.objects.filter(action="habilitations_updated").count() == 2


def test_only_an_administrator_sets_them(referent, student):
    for user in (referent, student):
        with pytest.raises(SessionError):
            services.set_habilitations([], acting_user=user)


def test_a_habilitation_a_coming_session_offers_cannot_be_withdrawn(administrator, year, room):
    make_session(year, room, complementary=["droit"])
    with pytest.raises(SessionError, match="Pix\\+ Droit.*encore proposée"):
        services.set_habilitations(["clea"], acting_user=administrator)
    assert "droit" in habilitated_codes()


def test_sessions_offer_only_the_habilitations(administrator, year, room, only_droit_and_cpe):
    with pytest.raises(SessionError, match="pas habilité"):
        services.create_session(
            acting_user=administrator, date=dt.date(2025, 10, 20), start_time=dt.time(9, 0),
            room=room, audience="students", complementary=["sante"], now=NOW,
        )  # fmt: skip
    session = services.create_session(
        acting_user=administrator, date=dt.date(2025, 10, 20), start_time=dt.time(9, 0),
        room=room, audience="students", complementary=["educpe"], now=NOW,
    )  # fmt: skip
    with pytest.raises(SessionError, match="pas habilité"):
        services.update_session(
            session, acting_user=administrator, capacity=20, audience="students",
            complementary=["clea"], now=NOW,
        )  # fmt: skip


def test_session_forms_offer_only_the_habilitations(client, administrator, only_droit_and_cpe):
    client.force_login(administrator)
    html = client.get(reverse("sessions_app:session_create")).content.decode()
    assert "Pix+ Édu CPE" in html and "Pix+ Droit" in html
    assert "Pix+ Pro Santé" not in html and "CléA Numérique" not in html


def test_a_candidate_cannot_choose_a_certification_outside_the_habilitations(
    administrator, year, room
):
    session = make_session(year, room, complementary=["droit", "sante"])
    registration = seat(session)
    Habilitation.objects.filter(code="sante").delete()  # withdrawn behind the service's back
    with pytest.raises(SessionError, match="pas habilité"):
        services.choose_complementary(registration, "sante", acting_user=administrator, now=NOW)
    services.choose_complementary(registration, "droit", acting_user=administrator, now=NOW)


def test_habilitations_page_asks_to_confirm_a_withdrawal(client, administrator):
    client.force_login(administrator)
    url = reverse("sessions_app:habilitations")
    assert client.get(url).status_code == 200
    everything_but_sante = [c for c in Complementary.values if c != "sante"]
    response = client.post(url, {"habilitations": everything_but_sante})
    assert response.status_code == 200
    assert 'data-testid="confirm-withdrawal"' in response.content.decode()
    assert "sante" in habilitated_codes()  # nothing changed yet
    response = client.post(url, {"habilitations": everything_but_sante, "confirm": "1"})
    assert response.status_code == 302
    assert "sante" not in habilitated_codes()
    page = client.get(url).content.decode()
    assert "Pix+ Pro Santé" in page  # the history shows what was withdrawn


@pytest.mark.no_habilitations
def test_habilitations_page_adds_without_confirmation(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("sessions_app:habilitations"), {"habilitations": ["educpe"]})
    assert response.status_code == 302
    assert habilitated_codes() == ["educpe"]


# --- exports ----------------------------------------------------------------------------------


def _export(client, session, fmt="csv"):
    url = reverse("sessions_app:export")
    return client.get(url, {"session": session.pk, "format": fmt, "invigilators": "Paul S"})


def test_export_columns_are_exactly_the_habilitations(
    client, administrator, year, room, only_droit_and_cpe, time_machine
):
    time_machine.move_to(NOW, tick=False)
    session = make_session(year, room, complementary=["droit"])
    seat(session, complementary="droit")
    client.force_login(administrator)
    response = _export(client, session)
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert header[21:] == [
        "Pix+ Droit ('oui' ou laisser vide)", "Pix+ Édu CPE ('oui' ou laisser vide)",
    ]  # fmt: skip


def test_export_of_a_session_in_the_past_is_reported(client, administrator, year, room):
    session = make_session(year, room)  # October 2025, before today's real date
    seat(session)
    client.force_login(administrator)
    response = _export(client, session)
    assert response.status_code == 409
    assert "SESSION_SCHEDULED_IN_THE_PAST" in response.content.decode()
    assert not ExportedCandidate.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "ods"])
def test_export_without_any_candidate_is_refused_with_a_sentence(
    client, administrator, year, room, time_machine, fmt
):
    time_machine.move_to(NOW, tick=False)
    session = make_session(year, room)
    client.force_login(administrator)
    response = _export(client, session, fmt)
    assert response.status_code == 409
    assert "Pix refuse un fichier sans candidat" in response.content.decode()


def test_a_birth_abroad_goes_out_with_insee_99_and_the_export_is_kept(
    client, administrator, year, room, time_machine
):
    time_machine.move_to(NOW, tick=False)
    session = make_session(year, room)
    abroad = make_candidate()
    abroad.birth_country, abroad.birth_insee_code, abroad.birth_city = "Maroc", "", "Rabat"
    abroad.save()
    registration = seat(session, abroad)
    client.force_login(administrator)
    response = _export(client, session)
    assert response.status_code == 200
    header, row = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    line = dict(zip(header, row, strict=True))
    assert line["Code INSEE de la commune de naissance"] == "99"
    kept = ExportedCandidate.objects.get()
    assert (kept.registration, kept.pricing, kept.file_format) == (registration, "Gratuite", "csv")
    assert kept.exported_by == administrator
    assert AuditEntry.objects.filter(action="pix_certif_exported", session_id=session.pk).exists()


def test_the_communes_referential_is_checked_again_before_export(
    client, administrator, year, room, time_machine
):
    """An identity saved before the referential was enforced (or edited elsewhere) is refused
    at export with the same sentence as at entry."""
    time_machine.move_to(NOW, tick=False)
    session = make_session(year, room)
    unknown = make_candidate()
    unknown.birth_insee_code = "99999"
    unknown.save()
    elsewhere = make_candidate()
    elsewhere.birth_insee_code, elsewhere.birth_postal_code = "", "84000"
    elsewhere.birth_city = "Marseille"
    elsewhere.save()
    typo = make_candidate()
    typo.birth_country, typo.birth_insee_code, typo.birth_city = "Frnace", "99", "Paris"
    typo.save()
    for c in (unknown, elsewhere, typo):
        seat(session, c)
    client.force_login(administrator)
    response = _export(client, session)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Aucune commune n’a le code INSEE « 99999 »" in html
    assert "n’a pas le code postal 84000" in html
    assert "Vouliez-vous dire « France » ?" in html
    assert not ExportedCandidate.objects.exists()
