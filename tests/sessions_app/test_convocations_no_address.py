"""A candidate with no email address (imported from Pix Orga, never signed in): the batch
finishes, the page says who and why, the administrator prints their convocations, and once an
address is known the convocation is sent."""

import io

import pypdf
import pytest
from django.core import mail

from accounts.models import AuditEntry
from sessions_app.models import Convocation, ConvocationStatus, RegistrationStatus
from sessions_app.services import convocations
from sessions_app.tasks import send_session_convocations

from .conftest import NOW, make_candidate, make_session
from .test_convocations import register

pytestmark = pytest.mark.django_db


def without_address():
    candidate = make_candidate()
    candidate.convocation_email = ""
    candidate.save()
    return candidate


@pytest.fixture
def convened(year, room):
    """Three confirmed candidates; the second has no account and no convocation address."""
    session = make_session(year, room, day=20, hour=14)
    first = register(session, make_candidate())
    nobody = register(session, without_address())
    third = register(session, make_candidate())
    return session, [first, nobody, third]


def test_no_address_is_a_final_state_and_the_batch_finishes(convened):
    session, (first, nobody, third) = convened
    send_session_convocations.delay(session.pk).get()

    convocation = Convocation.objects.get(registration=nobody)
    assert convocation.status == ConvocationStatus.NO_ADDRESS
    assert convocation.file  # generated all the same: it can be printed
    assert convocation.sent_at is None
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        [first.candidate.convocation_email, third.candidate.convocation_email]
    )
    assert convocations.progress(session) == {
        "generated": 3, "sent": 2, "failed": 0, "no_address": 1, "total": 3, "done": True,
    }  # fmt: skip


def test_the_reason_says_there_is_no_address_and_what_to_do(convened):
    session, (_first, nobody, _third) = convened
    send_session_convocations.delay(session.pk).get()
    reason = convocations.not_sent_reason(Convocation.objects.get(registration=nobody))
    assert "aucune adresse" in reason.lower()
    assert "imprim" in reason.lower()


def test_a_candidate_who_signs_in_later_gets_it_on_the_next_run(convened, outsider):
    session, (_first, nobody, _third) = convened
    send_session_convocations.delay(session.pk).get()
    candidate = nobody.candidate
    candidate.user = outsider  # the first sign-in attached the account
    candidate.save()

    send_session_convocations.delay(session.pk).get()

    assert [m.to for m in mail.outbox][-1] == [outsider.email]
    assert Convocation.objects.get(registration=nobody).status == ConvocationStatus.SENT
    assert len(mail.outbox) == 3  # the two others are not sent twice


def test_the_administrator_enters_an_address_and_the_convocation_is_sent(
    convened, administrator, django_capture_on_commit_callbacks
):
    session, (_first, nobody, _third) = convened
    send_session_convocations.delay(session.pk).get()
    convocation = Convocation.objects.get(registration=nobody)

    with django_capture_on_commit_callbacks(execute=True):
        convocations.set_address_and_resend(
            convocation, "Camille.Petit@Example.org ", acting_user=administrator, now=NOW
        )

    assert mail.outbox[-1].to == ["Camille.Petit@example.org"]
    convocation.refresh_from_db()
    assert convocation.status == ConvocationStatus.SENT
    nobody.candidate.refresh_from_db()
    assert nobody.candidate.convocation_email == "Camille.Petit@example.org"
    entry = AuditEntry.objects.get(action="convocation_address_set")
    assert entry.candidate_id == nobody.candidate_id
    assert entry.before == {"convocation_email": ""}
    assert entry.after == {"convocation_email": "Camille.Petit@example.org"}


@pytest.mark.parametrize("address", ["", "pas-une-adresse", "a@b"])
def test_an_invalid_address_is_refused_and_nothing_changes(convened, administrator, address):
    session, (_first, nobody, _third) = convened
    send_session_convocations.delay(session.pk).get()
    convocation = Convocation.objects.get(registration=nobody)
    sent = len(mail.outbox)
    with pytest.raises(convocations.ConvocationError, match="adresse"):
        convocations.set_address_and_resend(convocation, address, acting_user=administrator)
    assert len(mail.outbox) == sent
    nobody.candidate.refresh_from_db()
    assert nobody.candidate.convocation_email == ""


def test_only_an_administrator_sets_the_address(convened, invigilator):
    session, (_first, nobody, _third) = convened
    send_session_convocations.delay(session.pk).get()
    convocation = Convocation.objects.get(registration=nobody)
    with pytest.raises(convocations.ConvocationError):
        convocations.set_address_and_resend(convocation, "x@example.org", acting_user=invigilator)


def test_the_session_page_says_who_has_no_address(client, administrator, convened):
    from django.urls import reverse

    session, (_first, nobody, _third) = convened
    client.force_login(administrator)
    page = client.get(reverse("sessions_app:session", args=[session.pk])).content.decode()
    assert "1 candidat confirmé n’a pas d’adresse e-mail" in page
    nobody.status = RegistrationStatus.CANCELLED
    nobody.save()
    page = client.get(reverse("sessions_app:session", args=[session.pk])).content.decode()
    assert 'data-testid="without-address"' not in page


# --- the printable PDF ------------------------------------------------------------------------


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_the_printable_pdf_has_one_page_per_convocation_with_its_qr_code(convened):
    session, registrations = convened
    pdf, count = convocations.printable_convocations(session)
    pages = pages_of(pdf)
    assert count == 3 and len(pages) == 3
    ordered = sorted(registrations, key=lambda r: (r.candidate.birth_name, r.candidate.first_name))
    for text, registration in zip(pages, ordered, strict=True):
        assert registration.candidate.birth_name in text
        assert "Convocation à la certification Pix" in text
        assert convocations.presence_code_text(registration) in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all("/XObject" in page["/Resources"] for page in reader.pages)  # the QR code image


def test_the_printable_pdf_can_hold_only_the_convocations_not_sent(convened):
    session, (_first, nobody, _third) = convened
    send_session_convocations.delay(session.pk).get()
    pdf, count = convocations.printable_convocations(session, only_not_sent=True)
    (page,) = pages_of(pdf)
    assert count == 1 and nobody.candidate.birth_name in page
