"""One certification season, end to end, through the browser.

The administrator imports the positioning profiles (a bad file first, then the good one), plans a
series of sessions and opens a campaign; Léa completes her identity, reads her profile and tier
and applies with ranked wishes, and Hugo applies too; the campaign closes and the administrator
allocates the seats, assigns an invigilator and sends the convocations. Léa downloads hers then
cancels; an external candidate books the freed seat and sees her fee. Before the session, the
administrator closes it, exports it to Pix Certif and records the external's payment; on the day,
the invigilator takes the roll call and the administrator finalises; after it, the results are
imported and the referent reads the dashboard.

The clock moves forward with time-machine between the acts (the browser's own clock does not
move, so cookies set by the server stay valid). Every distinct page is checked with axe-core.
"""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from tests.candidates.conftest import make_export, participant
from tests.conftest import PASSWORD

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOM = "Campus Hannah Arendt — Salle 0E07"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour:minute``, Paris time."""
    from sessions_app.models import PARIS as ZONE

    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


class Walk:
    """A screenshot at each step, and axe-core on each distinct page: the same address (ids
    aside) seen by the same role with the same title is checked once."""

    def __init__(self, page, screenshot, live_server_url):
        self.page, self._screenshot, self.base = page, screenshot, live_server_url
        self.role = "anonymous"
        self.checked: set[tuple[str, str, str]] = set()

    def step(self, name: str):
        path = self.page.url.removeprefix(self.base).split("?")[0]
        title = self.page.locator("h1").first.inner_text()
        key = (self.role, re.sub(r"\d+", "N", path), re.sub(r"\d+", "N", title))
        if key not in self.checked:
            assert_accessible(self.page)
            self.checked.add(key)
        self._screenshot(name)

    def sign_in(self, user):
        self.role = user.role
        self.page.context.clear_cookies()
        sign_in(self.page, user.email, PASSWORD)
        self.page.get_by_test_id("home-title").wait_for()

    def menu(self, menu: str, link: str):
        """An administrator's navigation: open the dropdown, click the link."""
        self.page.get_by_role("button", name=menu, exact=True).click()
        self.page.get_by_role("link", name=link, exact=True).click()


def _profiles_export() -> bytes:
    """Pix Orga's export of the profile collection: Léa (M1, level 5 everywhere), Hugo (L3,
    level 3), one more student and a participant who did not share their profile."""
    return make_export(
        [
            {
                **participant(1, pix=44, year="M1"),
                "student_number": "21950001",
                "last_name": "MARTIN",
                "first_name": "Léa",
            },
            {
                **participant(2, pix=30, year="L3"),
                "student_number": "21950002",
                "last_name": "ROUX",
                "first_name": "Hugo",
            },
            participant(3, pix=20, year="L2"),
            participant(4, pix=None),
        ]  # fmt: skip
    )


def _with_bad_cell(data: bytes) -> bytes:
    """Hugo's line (line 3 of the file) says « Peut-être » in « Envoi (O/N) »."""
    lines = data.decode("utf-8").split("\n")
    bad = lines[2].replace(';"Oui";', ';"Peut-être";', 1)
    assert "ROUX" in bad and bad != lines[2]
    lines[2] = bad
    return "\n".join(lines).encode("utf-8")


def _results_file(session_number: str, day: dt.date) -> bytes:
    """Pix Certif's results export for the session: Hugo (by student number) and Sophie (no
    external id: matched by name and birth date)."""
    from tests.sessions_app.test_pix_results import CLASSIC_HEADER, build, line

    common = {"Session": session_number, "Date de passage de la certification": f'"{day:%d/%m/%Y}"'}
    hugo = line(**common, **{
        "Numéro de certification": "900501", "Prénom": '"Hugo"', "Nom": '"Roux"',
        "Date de naissance": '"17/05/2003"', "Identifiant Externe": "21950002",
        "Nombre de Pix": "412",
    })  # fmt: skip
    sophie = line(**common, **{
        "Numéro de certification": "900502", "Prénom": '"Sophie"', "Nom": '"Durand"',
        "Date de naissance": '"17/05/2003"', "Identifiant Externe": '""',
        "Nombre de Pix": "388",
    })  # fmt: skip
    return build(CLASSIC_HEADER, [hugo, sophie])


@pytest.fixture
def centre(referential, administrator, referent, invigilator, student, other_student, external):
    """Set directly, as they are not this journey's subject: the academic year, the room, and
    the identities of Hugo and of the external candidate (Léa completes hers in the browser)."""
    from candidates.models import AcademicYear
    from sessions_app.models import Room
    from tests.sessions_app.conftest import complete_identity

    today = timezone.localdate()
    AcademicYear.objects.create(
        label="courante", start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    Room.objects.create(site="Campus Hannah Arendt", name="Salle 0E07", capacity=24)
    for user in (other_student, external):
        candidate = user.candidate
        complete_identity(candidate)
        candidate.priority_tier = None  # the identity only: the profile import computes the tier
        candidate.save()


def test_a_certification_season(
    page, screenshot, live_server, time_machine, tmp_path, centre,
    administrator, referent, invigilator, student, other_student, external,
):  # fmt: skip
    from playwright.sync_api import expect

    from billing.models import Fee
    from candidates.models import Candidate, PositioningProfile, ProfileImport
    from sessions_app.models import (
        Attendance,
        CertificationResult,
        Convocation,
        Registration,
        RegistrationStatus,
        Session,
    )

    walk = Walk(page, screenshot, live_server.url)
    today = timezone.localdate()
    day = today + dt.timedelta(days=21)  # the certification day

    # --- Act 1 (today): profiles, sessions, campaign ---------------------------------------
    walk.sign_in(administrator)
    walk.step("admin-home")
    walk.menu("Candidats", "Imports de profils")
    good = _profiles_export()
    bad_file = tmp_path / "Resultats-Collecte profils-48213-2026-11-20-0915.csv"
    bad_file.write_bytes(_with_bad_cell(good))
    page.get_by_label("Export Pix Orga (CSV)").set_input_files(str(bad_file))
    walk.step("profiles-upload")
    page.get_by_role("button", name="Importer").click()
    report = page.get_by_test_id("import-report")
    report.wait_for()
    cells = report.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells == ["3", "Envoi (O/N)", "Peut-être", "Valeur attendue : « Oui » ou « Non »."]
    expect(report.locator("tbody tr")).to_have_count(1)
    assert "Rien n’a été importé" in report.inner_text()
    assert PositioningProfile.objects.count() == 0
    assert Candidate.objects.count() == 3  # the personas: the file created nobody
    walk.step("profiles-refused")

    page.get_by_role("link", name="Imports de profils").click()
    good_file = tmp_path / "Resultats-Collecte profils-48213-2026-11-20-0930.csv"
    good_file.write_bytes(good)
    page.get_by_label("Export Pix Orga (CSV)").set_input_files(str(good_file))
    page.get_by_role("button", name="Importer").click()
    counts = page.get_by_test_id("import-counts")
    counts.wait_for()
    figures = dict(row.split("\t") for row in counts.inner_text().splitlines() if "\t" in row)
    assert figures["Lignes"] == "4"
    assert figures["Profils créés"] == "3"
    assert figures["Participants sans profil partagé"] == "1"
    assert ProfileImport.objects.filter(status="done").count() == 1
    walk.step("profiles-imported")

    walk.menu("Sessions", "Sessions et campagnes")
    walk.step("sessions-empty")
    page.get_by_role("link", name="Créer une série").click()
    page.get_by_label("Dates").fill(day.strftime("%d/%m/%Y"))
    page.get_by_label("Heures de début").fill("09:00, 14:00")
    page.get_by_label(ROOM).check()
    page.get_by_label("Public").select_option(label="Mixte")
    walk.step("series-form")
    page.get_by_role("button", name="Créer").click()
    page.get_by_text("2 sessions créées").wait_for()
    expect(page.get_by_test_id("session-table").locator("tbody tr")).to_have_count(2)
    walk.step("sessions-created")
    morning = Session.objects.get(date=day, start_time=dt.time(9))
    afternoon = Session.objects.get(date=day, start_time=dt.time(14))

    page.get_by_role("link", name="Campagnes").click()
    walk.step("campaigns")
    page.get_by_role("link", name="Créer une campagne").click()
    now = timezone.localtime()
    page.get_by_label("Année universitaire").select_option(label="courante")
    page.get_by_label("Nom").fill("Campagne d’hiver")
    page.get_by_label("Ouverture des candidatures").fill(
        (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Clôture des candidatures").fill(
        (now + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label(str(morning)).check()
    page.get_by_label(str(afternoon)).check()
    walk.step("campaign-form")
    page.get_by_role("button", name="Créer").click()
    page.get_by_text("Campagne créée").wait_for()
    assert page.get_by_test_id("campaign-state").inner_text() == "candidatures ouvertes"
    walk.step("campaign-open")
    campaign_url = page.url

    # --- Act 2 (today): Léa completes her identity, reads her profile, applies ------------------
    walk.sign_in(student)
    walk.step("student-home")
    page.get_by_role("link", name="Mon profil Pix").click()
    page.locator("#profile-chart[data-ready='true']").wait_for()
    assert page.get_by_test_id("total-pix").inner_text() == "704 / 896"
    assert "Niveau de priorité : 2" in page.get_by_test_id("tier").inner_text()
    assert "M1" in page.get_by_test_id("tier-reason").inner_text()
    page.get_by_role("link", name="Compléter mon identité").click()
    page.get_by_label("Féminin").check()
    page.get_by_label("Date de naissance").fill("2003-02-14")
    page.get_by_label("Pays de naissance").fill("France")
    page.get_by_label("Code INSEE de la commune").fill("84007")
    walk.step("identity-form")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Votre identité est enregistrée").wait_for()
    expect(page.get_by_role("link", name="Compléter mon identité")).to_have_count(0)
    walk.step("student-profile")

    page.get_by_role("link", name="S’inscrire").click()
    walk.step("offer")
    page.get_by_role("link", name="Candidater").click()
    page.get_by_label("Vœu n° 1").select_option(label=str(afternoon))
    page.get_by_label("Vœu n° 2").select_option(label=str(morning))
    walk.step("wishes")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.get_by_text("Candidature enregistrée").wait_for()
    expect(page.get_by_test_id("application")).to_have_count(1)
    walk.step("applied")

    # Hugo applies for the afternoon only.
    walk.sign_in(other_student)
    page.get_by_role("link", name="S’inscrire").click()
    page.get_by_role("link", name="Candidater").click()
    page.get_by_label("Vœu n° 1").select_option(label=str(afternoon))
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.get_by_text("Candidature enregistrée").wait_for()

    # --- Act 3 (three days later): allocation, invigilator, convocations ------------------------
    time_machine.move_to(_at(today + dt.timedelta(days=3), 10), tick=True)
    walk.sign_in(administrator)
    page.goto(campaign_url)
    assert page.get_by_test_id("campaign-state").inner_text() == "clôturée, attribution à faire"
    page.get_by_role("link", name="Simuler l’attribution").click()
    preview = page.get_by_test_id("preview").inner_text()
    assert "MARTIN Léa" in preview and "ROUX Hugo" in preview
    walk.step("allocation-preview")
    assert Registration.objects.count() == 0
    page.get_by_role("button", name="Attribuer les places").click()
    page.get_by_test_id("confirm-question").wait_for()
    page.get_by_role("button", name="Attribuer les places").click()
    page.get_by_text("Attribution lancée").wait_for()
    assert "places attribuées le" in page.get_by_test_id("campaign-state").inner_text()
    walk.step("allocated")
    seats = dict(
        Registration.objects.filter(status=RegistrationStatus.CONFIRMED).values_list(
            "candidate__birth_name", "session_id"
        )
    )
    assert seats == {"MARTIN": afternoon.pk, "ROUX": afternoon.pk}

    page.get_by_role("link", name=str(afternoon)).click()
    walk.step("session-detail")
    page.get_by_role("link", name="Surveillants", exact=True).click()
    page.get_by_label("Surveillant").select_option(label=invigilator.email)
    walk.step("assign-form")
    page.get_by_role("button", name="Affecter", exact=True).click()
    page.get_by_text("est affecté à la session").wait_for()
    assert invigilator.email in page.get_by_test_id("assigned").inner_text()
    walk.step("assigned")

    walk.menu("Sessions", "Convocations")
    walk.step("convocations-index")
    page.get_by_role("link", name=f"Convocations {afternoon}").click()
    progress = page.locator("#convocation-progress")
    assert progress.locator('[data-count="sent"]').inner_text() == "0"
    page.get_by_role("button", name="Générer et envoyer les convocations").click()
    # The page polls the progress (Playwright's expect polls the DOM: no eval, which the
    # Content-Security-Policy would refuse).
    expect(progress.locator('[data-count="sent"]')).to_have_text("2")
    expect(page.get_by_role("cell", name="Envoyée")).to_have_count(2)
    walk.step("convocations-sent")
    assert Convocation.objects.filter(status="sent").count() == 2

    # --- Act 4 (same day): Léa sees her seat, downloads the convocation, then cancels -----------
    walk.sign_in(student)
    page.get_by_role("link", name="Mon inscription").click()
    assert page.get_by_test_id("registration-status").inner_text() == "Place confirmée"
    assert "14:00" in page.get_by_test_id("registration").inner_text()
    walk.step("seat")
    page.get_by_role("link", name="Mes convocations").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la convocation (PDF)").click()
    assert download.value.suggested_filename == "convocation-pix.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    walk.step("convocations-mine")
    page.get_by_role("link", name="Mon inscription").click()
    page.get_by_role("link", name="Annuler mon inscription").click()
    walk.step("cancel-confirmation")
    assert Registration.objects.get(candidate=student.candidate).status == "confirmed"
    page.get_by_role("button", name="Confirmer l’annulation").click()
    page.get_by_text("Inscription annulée.").wait_for()
    assert page.get_by_test_id("registration-status").inner_text() == "Annulée"
    walk.step("cancelled")

    # --- Act 5: an external candidate books the freed seat and sees her fee ------------------
    walk.sign_in(external)
    page.get_by_role("link", name="S’inscrire").click()
    offer = page.locator("table tbody tr", has_text="14:00")
    assert offer.locator("td").nth(3).inner_text() == "19"  # Hugo holds the other seat
    walk.step("external-offer")
    offer.get_by_role("link", name="Réserver (payant)").click()
    assert page.get_by_test_id("booking-amount").inner_text() == "45,00 €"
    walk.step("external-booking-fee")
    page.get_by_test_id("confirm-booking").click()
    page.get_by_text("Votre place est réservée. 45,00 € sont à régler au centre").wait_for()
    walk.step("external-booked")
    fees = page.get_by_test_id("fees").inner_text()
    assert "45,00 €" in fees and "À payer" in fees
    walk.step("external-fee")
    assert Fee.objects.get(registration__candidate=external.candidate).status == "due"

    # --- Act 6 (two days before): the session closes, export to Pix Certif -------------------
    time_machine.move_to(_at(day - dt.timedelta(days=2), 10), tick=True)
    walk.sign_in(administrator)
    page.goto(f"/sessions/{afternoon.pk}/")
    page.get_by_role("button", name="Passer à « Fermée aux inscriptions »").click()
    page.get_by_test_id("session-status").filter(has_text="Fermée aux inscriptions").wait_for()
    with page.expect_download() as export:
        page.get_by_role("link", name="Export Pix Certif (CSV)").click()
    data = Path(export.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert [r[7:9] for r in rows[1:]] == [["DURAND", "Sophie"], ["ROUX", "Hugo"]]
    assert {r[5] for r in rows[1:]} == {invigilator.email}
    page.get_by_label("Numéro de session Pix Certif").fill("31999")
    page.get_by_label("Code d’accès").fill("ABCD12")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Identifiants Pix Certif enregistrés.").wait_for()
    walk.step("session-closed-exported")

    # Sophie pays at the centre's desk by card.
    walk.menu("Candidats", "Frais des externes")
    unpaid = page.get_by_test_id("unpaid-soon")
    assert "DURAND Sophie" in unpaid.inner_text() and "45,00 €" in unpaid.inner_text()
    walk.step("fees")
    unpaid.get_by_role("link", name="Enregistrer le paiement").click()
    page.get_by_label("Moyen de paiement").select_option(label="Carte bancaire")
    page.get_by_label("Référence").fill("TPE 000417")
    walk.step("payment-form")
    page.get_by_role("button", name="Confirmer").click()
    page.get_by_test_id("confirm-question").wait_for()  # a receipt number is for good
    walk.step("payment-confirmation")
    page.get_by_role("button", name="Enregistrer un paiement").click()
    page.get_by_test_id("unpaid-soon-empty").wait_for()
    assert Fee.objects.get(registration__candidate=external.candidate).status == "paid"
    walk.step("fee-paid")

    # --- Act 7 (the day, 13:30): the invigilator takes the roll call -------------------------
    time_machine.move_to(_at(day, 13, 30), tick=True)
    walk.sign_in(invigilator)
    walk.step("invigilator-home")
    page.get_by_role("link", name="Mes sessions").click()
    walk.step("invigilator-schedule")
    page.get_by_role("link", name="Ouvrir la session du jour").click()
    page.get_by_role("heading", name="Appel").wait_for()
    walk.step("roll-call")
    for registration in Registration.objects.filter(
        session=afternoon, status=RegistrationStatus.CONFIRMED
    ).select_related("candidate"):
        row = page.locator(f"#candidate-{registration.pk}")
        row.get_by_label("Présent").check()
        row.get_by_label("Identité vérifiée").check()
        row.get_by_role("button", name="Enregistrer").click()
        page.get_by_text(f"{registration.candidate} : présent.").wait_for()
    assert Attendance.objects.filter(registration__session=afternoon, status="present").count() == 2
    walk.step("roll-call-done")

    # The administrator finalises once the session is over.
    time_machine.move_to(_at(day, 16, 30), tick=True)
    walk.sign_in(administrator)
    page.goto(f"/sessions/{afternoon.pk}/")
    page.get_by_role("link", name="Émargement et finalisation").click()
    walk.step("finalisation")
    page.get_by_role("button", name="Finaliser la session").click()
    page.get_by_test_id("confirm-question").wait_for()
    page.get_by_role("button", name="Finaliser la session").click()
    page.get_by_text("Session finalisée : 2 présent(s), 0 absent(s)").wait_for()
    walk.step("finalised")

    # --- Act 8 (three days after): results, then the referent's dashboard -------------------
    time_machine.move_to(_at(day + dt.timedelta(days=3), 10), tick=True)
    walk.sign_in(administrator)
    walk.menu("Sessions", "Résultats")
    results_file = tmp_path / f"{day:%Y%m%d}_1700_resultats_session_31999.csv"
    results_file.write_bytes(_results_file("31999", day))
    page.get_by_label("Export des résultats Pix Certif (CSV)").set_input_files(str(results_file))
    walk.step("results-upload")
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("2 résultat(s) importé(s) : 2 nouveau(x)").wait_for()
    walk.step("results-imported")
    scores = dict(
        CertificationResult.objects.values_list("registration__candidate__birth_name", "score")
    )
    assert scores == {"ROUX": 412, "DURAND": 388}

    walk.sign_in(referent)
    walk.step("referent-home")
    page.get_by_role("link", name="Tableau de bord", exact=True).click()
    page.locator("body[data-charts-ready='true']").wait_for(state="attached")
    # Held / planned: the afternoon session is over; nobody took the morning one, still planned.
    assert page.get_by_test_id("sessions").inner_text() == "1 / 1"
    assert page.get_by_test_id("certified").inner_text() == "2"  # Hugo and Sophie, « Validée »
    assert "45,00 €" in page.get_by_test_id("revenue").inner_text()  # Sophie's fee
    assert "dont 10,00 € dus au GIP Pix (1 payants)" in page.get_by_test_id("figures").inner_text()
    walk.step("dashboard")
