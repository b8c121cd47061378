"""University sign-in: the account of a university account, attached to the imported record."""

import threading

import pytest
from django.db import connection

from accounts.models import AuditEntry, IdentitySource, Role, User
from candidates.directory import read_person
from candidates.models import (
    Candidate,
    CandidateKind,
    IdentityDiscrepancy,
    StudyYearSource,
)
from candidates.services import linking
from tests.conftest import make_user


def attributes(**change):
    base = {
        "uid": "lmartin",
        "mail": "lea.martin@etu.univ-avignon.fr",
        "givenName": "Léa",
        "sn": "Martin",
        "supannEtuId": "21950101",
        "supannEtuCursusAnnee": ["{SUPANN}M1"],
        "supannEtuEtape": "M1 Informatique",
        "eduPersonAffiliation": ["student", "member"],
    }
    base.update(change)
    return {k: v for k, v in base.items() if v is not None}


def sign_in(**change):
    return linking.sign_in_from_directory(read_person("lmartin", attributes(**change)))


@pytest.fixture
def imported(db):
    """What a Pix Orga import made: a student record with a number and no account."""
    return Candidate.objects.create(
        kind=CandidateKind.STUDENT,
        birth_name="MARTIN",
        first_name="Léa",
        external_id="21950101",
        study_year="M1",
        study_year_source=StudyYearSource.IMPORT,
    )


def test_first_sign_in_attaches_the_imported_record_and_never_makes_a_second(imported):
    user = sign_in()
    imported.refresh_from_db()
    assert imported.user == user
    assert Candidate.objects.count() == 1
    assert user.role == Role.CANDIDATE
    assert user.cas_username == "lmartin"
    assert user.identity_source == IdentitySource.CAS
    assert user.identity_refreshed_at is not None
    assert not user.has_usable_password()
    assert imported.study_year == "M1" and imported.study_year_source == StudyYearSource.DIRECTORY
    assert imported.programme == "M1 Informatique"
    assert AuditEntry.objects.filter(action="candidate_linked", candidate_id=imported.pk).exists()
    assert not IdentityDiscrepancy.objects.exists()


def test_second_sign_in_changes_nothing(imported):
    first = sign_in()
    before = Candidate.objects.values().get()
    audits = AuditEntry.objects.count()
    second = sign_in()
    assert second.pk == first.pk
    assert User.objects.count() == 1 and Candidate.objects.count() == 1
    after = Candidate.objects.values().get()
    before.pop("last_activity_at"), after.pop("last_activity_at")
    assert after == before
    assert AuditEntry.objects.count() == audits


def test_unknown_student_number_makes_a_student_record_that_a_later_import_fills(
    db, django_capture_on_commit_callbacks
):
    from candidates import services

    from .conftest import make_export, participant

    user = sign_in(supannEtuId="22000007")
    candidate = user.candidate
    assert candidate.kind == CandidateKind.STUDENT
    assert candidate.external_id == "22000007"
    assert (candidate.birth_name, candidate.first_name) == ("MARTIN", "Léa")
    assert candidate.study_year == "M1"
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(make_export([participant(7, pix=40)]), file_name="orga.csv")
    candidate.refresh_from_db()
    assert Candidate.objects.count() == 1
    assert candidate.profiles.count() == 1
    assert candidate.total_pix == 16 * 40 and candidate.priority_tier is not None
    # The directory's year stays: the import's group (L3) does not overwrite it.
    assert candidate.study_year == "M1"


def test_staff_affiliation_makes_a_staff_candidate(db):
    user = sign_in(eduPersonAffiliation=["staff", "member"], supannEtuId=None)
    assert user.candidate.kind == CandidateKind.STAFF
    assert user.candidate.external_id == ""


def test_directory_year_replaces_the_imported_one_and_the_disagreement_is_listed(imported):
    imported.study_year = "L3"
    imported.save()
    sign_in(supannEtuCursusAnnee="{SUPANN}M1", sn="Martin-Roux")
    imported.refresh_from_db()
    assert imported.study_year == "M1"
    listed = {
        d.field: (d.recorded_value, d.reported_value) for d in IdentityDiscrepancy.objects.all()
    }
    assert listed == {"study_year": ("L3", "M1"), "birth_name": ("MARTIN", "Martin-Roux")}
    # The name is never merged silently: the record keeps its own.
    assert imported.birth_name == "MARTIN"


def test_a_checked_disagreement_is_not_listed_again(imported, administrator):
    sign_in(givenName="Lea")
    discrepancy = IdentityDiscrepancy.objects.get()
    linking.check_discrepancy(discrepancy, acting_user=administrator)
    sign_in(givenName="Lea")
    assert not IdentityDiscrepancy.objects.filter(checked_at__isnull=True).exists()


def test_administrator_override_wins_over_the_directory_and_is_audited(imported, administrator):
    linking.override_study_year(imported, "L3", "Réorientation validée", acting_user=administrator)
    entry = AuditEntry.objects.get(action="study_year_overridden")
    assert entry.summary == "Réorientation validée" and entry.before["study_year"] == "M1"
    sign_in(supannEtuCursusAnnee="{SUPANN}M2")
    imported.refresh_from_db()
    assert imported.study_year == "L3"
    assert imported.study_year_source == StudyYearSource.ADMINISTRATOR


def test_override_needs_an_administrator_and_a_reason(imported, student, administrator):
    with pytest.raises(linking.LinkingError):
        linking.override_study_year(imported, "M2", "je le veux", acting_user=student)
    with pytest.raises(linking.LinkingError):
        linking.override_study_year(imported, "M2", "  ", acting_user=administrator)
    imported.refresh_from_db()
    assert imported.study_year == "M1"


def test_a_record_linked_to_another_account_is_not_taken(imported):
    other = make_user("someone@example.org")
    imported.user = other
    imported.save()
    with pytest.raises(linking.LinkingError):
        sign_in()
    assert not User.objects.filter(cas_username="lmartin").exists()
    imported.refresh_from_db()
    assert imported.user == other


def test_an_existing_account_with_the_university_address_becomes_the_cas_account(db):
    admin = make_user("lea.martin@etu.univ-avignon.fr", Role.ADMINISTRATOR)
    user = sign_in()
    assert user.pk == admin.pk and user.cas_username == "lmartin"
    assert not Candidate.objects.exists()  # the centre's staff have no candidate record


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: real row locks")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_import", [True, False])
def test_two_simultaneous_first_sign_ins_make_one_account_and_one_record(with_import):
    if with_import:
        Candidate.objects.create(
            kind=CandidateKind.STUDENT,
            birth_name="MARTIN",
            first_name="Léa",
            external_id="21950101",
        )
    person = read_person("lmartin", attributes())
    barrier = threading.Barrier(4)
    errors = []

    def first_sign_in():
        try:
            barrier.wait()
            linking.sign_in_from_directory(person)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_sign_in) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert User.objects.filter(cas_username="lmartin").count() == 1
    assert Candidate.objects.filter(external_id="21950101").count() == 1
    assert Candidate.objects.get(external_id="21950101").user.cas_username == "lmartin"
