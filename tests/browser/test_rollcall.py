"""Roll call on the invigilator's phone: everybody present in one tap, then the exceptions,
without a page reload; a candidate marked present by scanning the QR code of their printed
convocation, with the phone's camera (Chromium's fake camera plays a video of the QR code) or
a photo, or by typing the code printed under it.

What the headless browser can and cannot do: Chromium on Linux has no ``BarcodeDetector``, so
these tests go through the page's other decoder, jsQR (static/vendor/jsqr), which is what runs
on such browsers; on Android and macOS the page uses the browser's own detector, which is not
exercised here. The camera is real as far as the page can tell: getUserMedia, a <video>, frames
drawn on a canvas — only the picture comes from a file.
"""

import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import assert_accessible, chromium_path, sign_in
from .qr_media import qr_y4m

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def todays_room(administrator, invigilator):
    """Today's session in room 2E07: four confirmed candidates, Paul the invigilator."""
    from candidates.models import AcademicYear
    from sessions_app.models import Room, Session, SessionStatus
    from sessions_app.services import invigilation
    from tests.sessions_app.invigilation_fixtures import confirm

    today = timezone.localdate()
    year = AcademicYear.objects.create(
        label=f"{today.year}-{today.year + 1}", start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip
    room = Room.objects.create(site="Campus Hannah Arendt", name="Salle 2E07", capacity=24)
    session = Session.objects.create(
        academic_year=year, date=today, start_time=dt.time(9, 0), room=room, capacity=20,
        status=SessionStatus.CLOSED,
    )  # fmt: skip
    registrations = confirm(session, 4)
    names = [("ARNAUD", "Inès"), ("BLANC", "Hugo"), ("COLIN", "Manon"), ("DUMAS", "Yanis")]
    for registration, (name, first) in zip(registrations, names, strict=True):
        registration.candidate.birth_name, registration.candidate.first_name = name, first
        registration.candidate.save()
    invigilation.assign_invigilator(session, invigilator, acting_user=administrator)
    return session, registrations


def statuses(session):
    from sessions_app.models import Attendance

    return {
        a.registration_id: a.status
        for a in Attendance.objects.filter(registration__session=session)
    }


def open_day_page(page, invigilator, session):
    page.set_viewport_size(PHONE)
    sign_in(page, invigilator.email, PASSWORD)
    page.goto(f"/surveillance/sessions/{session.pk}/")
    page.get_by_role("heading", name="Appel").wait_for()
    # A page reload would lose this mark: the roll call must never need one.
    page.evaluate("window.__sameDocument = true")


def same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_the_first_answer_does_not_move_the_rows_under_the_next_tap(page, invigilator, todays_room):
    """The message box is there from the start: its first answer used to appear above the table
    and push every row down, so that a quick second tap (« Identité vérifiée » after « Présent »)
    landed beside its box (a run under load saw it)."""
    session, (ines, hugo, manon, yanis) = todays_room
    open_day_page(page, invigilator, session)
    identity = page.locator(f"#candidate-{yanis.pk}").get_by_label("Identité vérifiée")

    def top():  # in the page, not the viewport: ticking a box scrolls it into view
        return identity.evaluate("e => e.getBoundingClientRect().top + window.scrollY")

    before = top()
    page.locator(f"#candidate-{ines.pk}").get_by_label("Présent").check()
    expect(page.get_by_test_id("rollcall-message")).to_have_text("ARNAUD Inès : présent.")
    assert top() == before


def test_everybody_present_then_the_exceptions_without_a_reload(
    page, screenshot, invigilator, todays_room
):
    session, (ines, hugo, manon, yanis) = todays_room
    open_day_page(page, invigilator, session)
    counts = page.get_by_test_id("rollcall-counts")
    expect(counts).to_contain_text("Pas encore appelés : 4 / 4")
    screenshot("before")
    assert_accessible(page)

    page.get_by_role("button", name="Tous présents").click()
    expect(page.get_by_test_id("rollcall-message")).to_have_text(
        "4 candidats marqués présents. Marquez maintenant les absents."
    )
    expect(counts).to_contain_text("Présents : 4")
    assert statuses(session) == dict.fromkeys([ines.pk, hugo.pk, manon.pk, yanis.pk], "present")
    screenshot("all-present")

    # Manon did not come: one tap on « Absent » in her row saves it.
    page.locator(f"#candidate-{manon.pk}").get_by_label("Absent").check()
    expect(page.get_by_test_id("rollcall-message")).to_have_text("COLIN Manon : absent.")
    expect(counts).to_contain_text("Présents : 3 · Absents : 1")
    expect(page.locator(f"#candidate-{manon.pk}").get_by_test_id("attendance-state")).to_have_text(
        "Absent"
    )
    # Inès's identity is checked: one tap on the box.
    page.locator(f"#candidate-{ines.pk}").get_by_label("Identité vérifiée").check()
    expect(page.locator(f"#candidate-{ines.pk}").get_by_test_id("attendance-state")).to_have_text(
        "Présent · identité vérifiée"
    )
    assert statuses(session)[manon.pk] == "absent"
    assert same_document(page)
    screenshot("exceptions")
    assert_accessible(page)

    # A second « Tous présents » changes nobody (Manon stays absent).
    page.get_by_role("button", name="Tous présents").click()
    expect(page.get_by_test_id("rollcall-message")).to_have_text(
        "Tous les candidats sont déjà appelés : rien n’a changé."
    )
    assert statuses(session)[manon.pk] == "absent"
    page.reload()
    assert page.locator(f"#candidate-{manon.pk}").get_by_label("Absent").is_checked()


def test_without_javascript_every_form_still_works(browser, live_server, invigilator, todays_room):
    session, (ines, *_rest) = todays_room
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, invigilator.email, PASSWORD)
    page.goto(f"/surveillance/sessions/{session.pk}/")
    page.get_by_role("button", name="Tous présents").click()
    page.get_by_text("4 candidats marqués présents.").wait_for()
    row = page.locator(f"#candidate-{ines.pk}")
    row.get_by_label("Absent").check()
    row.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("ARNAUD Inès : absent.").wait_for()
    assert statuses(session)[ines.pk] == "absent"
    # The scanner needs JavaScript: its buttons stay hidden, the code form is there.
    assert not page.get_by_role("button", name="Scanner les convocations").is_visible()
    assert page.get_by_label("Code de présence de la convocation").is_visible()
    context.close()


def printed_qr_png(registration) -> bytes:
    """The QR code picture as printed on the candidate's convocation (taken out of the stored
    PDF that was emailed, the same page the printable PDF holds)."""
    from sessions_app.services import convocations

    convocation = convocations.generate_convocation(registration)
    with convocation.file.open("rb") as f:
        (page,) = pypdf.PdfReader(io.BytesIO(f.read())).pages
    assert convocations.presence_code_text(registration) in page.extract_text()
    (image,) = page.images
    buffer = io.BytesIO()
    image.image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_photo_of_the_printed_convocation_marks_the_candidate_and_the_code_can_be_typed(
    page, screenshot, invigilator, todays_room, tmp_path
):
    from sessions_app import attendance_codes

    session, (ines, hugo, manon, _yanis) = todays_room
    photo = tmp_path / "convocation-hugo.png"
    photo.write_bytes(printed_qr_png(hugo))
    open_day_page(page, invigilator, session)

    page.get_by_label("ou une photo du QR code").set_input_files(str(photo))
    expect(page.get_by_test_id("rollcall-message")).to_have_text("BLANC Hugo : présent.")
    assert statuses(session) == {hugo.pk: "present"}
    assert page.locator("[data-scanner]").get_attribute("data-decoder") == "jsQR"

    # The camera is unavailable: Manon's code typed by hand, in lower case.
    code = attendance_codes.display(attendance_codes.code_for(manon.pk)).lower()
    page.get_by_label("Code de présence de la convocation").fill(code)
    page.get_by_role("button", name="Marquer présent").click()
    expect(page.get_by_test_id("rollcall-message")).to_have_text("COLIN Manon : présent.")
    # A wrong code marks nobody and says so.
    page.get_by_label("Code de présence de la convocation").fill("ABCD-EFGH-JKLM")
    page.get_by_role("button", name="Marquer présent").click()
    expect(page.get_by_test_id("rollcall-message")).to_contain_text("Code inconnu")
    assert statuses(session) == {hugo.pk: "present", manon.pk: "present"}
    assert same_document(page)
    screenshot("photo-and-code")
    assert_accessible(page)


@pytest.fixture
def camera_browser(browser, tmp_path_factory, todays_room):
    """A second Chromium, from the same Playwright, whose camera films Inès's convocation QR
    code (a Y4M video in a loop)."""
    from sessions_app import attendance_codes

    _session, (ines, *_rest) = todays_room
    video = qr_y4m(
        f"http://127.0.0.1:8000/surveillance/presence/{attendance_codes.token_for(ines.pk)}/",
        tmp_path_factory.mktemp("camera") / "convocation.y4m",
    )
    camera = browser.browser_type.launch(
        executable_path=chromium_path(),
        headless=True,
        args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )  # fmt: skip
    yield camera
    camera.close()


def test_the_phone_camera_scans_a_convocation_and_marks_the_candidate_present(
    camera_browser, live_server, invigilator, todays_room
):
    session, (ines, *_rest) = todays_room
    context = camera_browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport=PHONE,
        permissions=["camera"],
    )  # fmt: skip
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    sign_in(page, invigilator.email, PASSWORD)
    page.goto(f"/surveillance/sessions/{session.pk}/")
    page.get_by_role("button", name="Scanner les convocations").click()
    expect(page.get_by_test_id("rollcall-message")).to_have_text(
        "ARNAUD Inès : présent.", timeout=20_000
    )
    assert statuses(session) == {ines.pk: "present"}
    assert page.locator("[data-scanner]").get_attribute("data-decoder") == "jsQR"
    # The QR code stays in front of the camera: it is not sent again and again.
    page.wait_for_timeout(1500)
    from accounts.models import AuditEntry

    assert AuditEntry.objects.filter(action="attendance_marked").count() == 1
    page.get_by_role("button", name="Arrêter la caméra").click()
    page.screenshot(path=str(_artifact("camera-scan")), full_page=True)
    context.close()
    assert not problems, problems


def _artifact(step):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"test_rollcall-{step}.png"


def test_the_phones_own_camera_app_opens_the_presence_page(
    page, screenshot, invigilator, other_student, todays_room
):
    from sessions_app import attendance_codes

    session, (_ines, _hugo, _manon, yanis) = todays_room
    page.set_viewport_size(PHONE)
    sign_in(page, invigilator.email, PASSWORD)
    page.goto(f"/surveillance/presence/{attendance_codes.token_for(yanis.pk)}/")
    page.get_by_role("heading", name="Présence · DUMAS Yanis").wait_for()
    assert statuses(session) == {}  # opening the address marks nobody
    assert_accessible(page)
    screenshot("presence-page")
    page.get_by_role("button", name="Marquer présent").click()
    page.get_by_text("DUMAS Yanis : présent.").wait_for()
    assert statuses(session) == {yanis.pk: "present"}
    # A forged address is a 404.
    response = page.goto(f"/surveillance/presence/{yanis.pk}-AAAAAAAAAAAA/")
    assert response.status == 404
