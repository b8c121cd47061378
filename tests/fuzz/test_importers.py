"""Every importer, fed mutated samples and random bytes through its real view.

Whatever the file: never a 500 (nor a 400), and all or nothing — either the import is accepted
and the tables grew by what it reports, or nothing was written and the page says why.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

from candidates.models import (
    AcademicYear,
    Candidate,
    ImportStatus,
    PositioningProfile,
    PreparationUnit,
    ProfileImport,
    UnitEnrolment,
)
from candidates.unit_files import write_unit_enrolments
from sessions_app.models import (
    CertificationResult,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    ResultsImport,
    Session,
    SessionStatus,
)

from .conftest import (
    FUZZ,
    assert_error_shown,
    assert_no_crash,
    client_for,
    flashed,
    page,
    rolled_back,
)
from .strategies import FILE_NAMES, hostile_files, mutated_csv, one_bad_cell, replace_cell

pytestmark = pytest.mark.django_db

TESTS = Path(__file__).resolve().parent.parent
PROFILES_SAMPLE = (
    TESTS
    / "candidates"
    / "data"
    / "Resultats-Collecte profils L3 2025-2026-48213-2025-11-20-0915.csv"
).read_bytes()
RESULTS_SAMPLE = (
    TESTS / "fixtures" / "pix" / "20260112_0900_resultats_session_31245.csv"
).read_bytes()
# The results sample's people: external id 21900000 + n, born n+1 March 2003.
RESULTS_PEOPLE = [
    ("Lina", "Durand"), ("Louis", "Fournier"), ("Nathan", "Roux"), ("Camille", "Michel"),
    ("Camille", "Dubois"), ("Inès", "Petit"), ("Léa", "Da Silva"), ("Jade", "Moreau"),
    ("Lucas", "Bernard"), ("Théo", "Da Silva"), ("Lucas", "Thomas"), ("Théo", "Martin"),
]  # fmt: skip


def upload(name, data, content_type="text/csv"):
    return SimpleUploadedFile(name, data, content_type)


# --- Pix Orga profile export ---------------------------------------------------------------------


def profile_tables():
    return (Candidate.objects.count(), PositioningProfile.objects.count())


def check_profile_upload(administrator, data, name="export.csv"):
    with rolled_back():
        client = client_for(administrator)
        before, imports_before = profile_tables(), ProfileImport.objects.count()
        response = client.post(reverse("candidates:imports"), {"file": upload(name, data)})
        assert_no_crash(response)
        if response.status_code == 200:  # refused by the form: nothing stored at all
            assert_error_shown(response)
            assert ProfileImport.objects.count() == imports_before
            assert profile_tables() == before
            return
        assert response.status_code == 302
        profile_import = ProfileImport.objects.latest("pk")
        assert profile_import.status in (ImportStatus.DONE, ImportStatus.REFUSED), (
            profile_import.status,
            profile_import.error_message,
        )
        detail = client.get(response["Location"])
        assert_no_crash(detail)
        candidates, profiles = profile_tables()
        if profile_import.status == ImportStatus.DONE:
            assert candidates - before[0] == profile_import.candidates_created_count
            assert profiles - before[1] == profile_import.created_count
            assert profile_import.processed_rows == (
                profile_import.created_count
                + profile_import.updated_count
                + profile_import.unchanged_count
                + profile_import.without_profile_count
            )
        else:
            assert (candidates, profiles) == before
            assert profile_import.error_message
            assert escape(profile_import.error_message) in page(detail)


@FUZZ
@given(data=hostile_files(PROFILES_SAMPLE), name=FILE_NAMES)
def test_profile_import_of_hostile_files_is_all_or_nothing_with_a_message(
    administrator, data, name
):
    check_profile_upload(administrator, data, name)


@FUZZ
@given(data=one_bad_cell(PROFILES_SAMPLE) | one_bad_cell(PROFILES_SAMPLE, header=True))
@example(data=replace_cell(PROFILES_SAMPLE, 1, 13, "²"))  # was a 500: int("²")
@example(data=replace_cell(PROFILES_SAMPLE, 1, 4, "Du\x00rand"))  # was a 500 on PostgreSQL
@example(data=replace_cell(PROFILES_SAMPLE, 1, 13, "\x00"))  # the report: same
@example(data=replace_cell(PROFILES_SAMPLE, 1, 1, "9" * 40))  # campaign id over 32 characters
@example(data=replace_cell(replace_cell(PROFILES_SAMPLE, 1, 7, "1" * 70), 2, 7, "1" * 69 + "2"))
def test_profile_import_with_one_bad_cell_is_all_or_nothing_with_a_message(administrator, data):
    check_profile_upload(administrator, data)


@FUZZ
@given(data=mutated_csv(PROFILES_SAMPLE))
def test_profile_import_of_a_mutated_sample_twice_changes_nothing_the_second_time(
    administrator, data
):
    """Importing the same file again is either refused again or changes nothing."""
    with rolled_back():
        client = client_for(administrator)
        client.post(reverse("candidates:imports"), {"file": upload("a.csv", data)})
        before = profile_tables()
        response = client.post(reverse("candidates:imports"), {"file": upload("a.csv", data)})
        assert_no_crash(response)
        assert profile_tables() == before


def test_the_untouched_profile_sample_is_imported_whole(administrator):
    """The property above must be able to see a success: the sample itself is accepted."""
    with rolled_back():
        client = client_for(administrator)
        response = client.post(
            reverse("candidates:imports"), {"file": upload("s.csv", PROFILES_SAMPLE)}
        )
        assert response.status_code == 302
        profile_import = ProfileImport.objects.get()
        assert profile_import.status == ImportStatus.DONE
        assert PositioningProfile.objects.count() == profile_import.created_count == 23


def test_profile_export_over_20_mb_is_refused_with_a_message(administrator):
    header = PROFILES_SAMPLE.split(b"\n", 1)[0] + b"\n"
    data = header + b"x" * (20 * 1024 * 1024 + 1 - len(header))
    client = client_for(administrator)
    response = client.post(reverse("candidates:imports"), {"file": upload("big.csv", data)})
    assert_error_shown(response)
    assert "20 Mo" in page(response)
    assert ProfileImport.objects.count() == 0


# --- Preparation units (UEO) ----------------------------------------------------------------------


@pytest.fixture
def unit_year(db):
    return AcademicYear.objects.create(
        label="2025-2026", start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31)
    )


UNIT_SAMPLE = write_unit_enrolments(
    [("21950001", "Pix1", 7), ("21950001", "Pix2", 3), ("21950002", "UEO Pix1", 0)]
)


@pytest.fixture
def unit_sample(student, other_student):
    """The students of the sample exist (student numbers 21950001 and 21950002)."""
    return UNIT_SAMPLE


def unit_tables():
    return (UnitEnrolment.objects.count(), PreparationUnit.objects.count())


def draw_unit_fields(data, unit_year, file_data):
    return {
        "academic_year": data.draw(
            st.sampled_from([str(unit_year.pk), str(unit_year.pk), "", "0", "-1", "x", "9" * 30]),
            label="academic_year",
        ),
        "semester": data.draw(
            st.sampled_from(["1", "2", "1", "0", "3", "", "un", "1.5", "9" * 30]),
            label="semester",
        ),
        "file": upload(data.draw(FILE_NAMES, label="name"), file_data),
    }


def check_unit_upload(administrator, fields):
    with rolled_back():
        client = client_for(administrator)
        before = unit_tables()
        response = client.post(reverse("candidates:units"), fields)
        assert_no_crash(response)
        if response.status_code == 302:
            messages = flashed(response)
            assert [level for level, _text in messages] == ["success"], messages
            # "UEO importées : C inscriptions créées, U mises à jour, N inchangées."
            created = int(re.findall(r"\d+", messages[0][1])[0])
            assert unit_tables()[0] - before[0] == created
        else:
            assert_error_shown(response)
            assert unit_tables() == before


@FUZZ
@given(data=st.data())
def test_unit_import_of_hostile_files_is_all_or_nothing_with_a_message(
    administrator, unit_year, unit_sample, data
):
    file_data = data.draw(hostile_files(unit_sample), label="file")
    check_unit_upload(administrator, draw_unit_fields(data, unit_year, file_data))


@FUZZ
@given(file_data=one_bad_cell(UNIT_SAMPLE) | one_bad_cell(UNIT_SAMPLE, header=True))
@example(file_data=replace_cell(UNIT_SAMPLE, 1, 2, "²"))  # was a 500: int("²")
@example(file_data=replace_cell(UNIT_SAMPLE, 1, 1, "x" * 200_000))  # was a 500: csv.Error
@example(file_data=replace_cell(UNIT_SAMPLE, 0, 0, "x" * 200_000))  # was a 500: csv.Error
def test_unit_import_with_one_bad_cell_is_all_or_nothing_with_a_message(
    administrator, unit_year, unit_sample, file_data
):
    fields = {"academic_year": unit_year.pk, "semester": 1, "file": upload("u.csv", file_data)}
    check_unit_upload(administrator, fields)


def test_the_untouched_unit_sample_is_imported_whole(administrator, unit_year, unit_sample):
    client = client_for(administrator)
    response = client.post(
        reverse("candidates:units"),
        {"academic_year": unit_year.pk, "semester": 1, "file": upload("u.csv", unit_sample)},
    )
    assert response.status_code == 302
    assert UnitEnrolment.objects.count() == 3


def test_unit_file_over_20_mb_is_refused_with_a_message(administrator, unit_year):
    data = b"Num\xc3\xa9ro \xc3\xa9tudiant;UEO;Parcours valid\xc3\xa9s\n"
    data += b"1;Pix1;1\n" * ((20 * 1024 * 1024) // 9 + 1)
    client = client_for(administrator)
    response = client.post(
        reverse("candidates:units"),
        {"academic_year": unit_year.pk, "semester": 1, "file": upload("big.csv", data)},
    )
    assert_error_shown(response)
    assert "20 Mo" in page(response)
    assert UnitEnrolment.objects.count() == 0


# --- Pix Certif results export --------------------------------------------------------------------


@pytest.fixture
def seated(db):
    """A held session numbered like the sample's, with a confirmed seat for each person in it."""
    year = AcademicYear.objects.create(
        label="2025-2026", start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31)
    )
    from sessions_app.models import Room

    session = Session.objects.create(
        academic_year=year,
        date=dt.date(2026, 1, 12),
        start_time=dt.time(9, 0),
        room=Room.objects.create(site="Centre-ville", name="S1", capacity=24),
        status=SessionStatus.HELD,
        pix_session_number="31245",
    )
    now = dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC)
    for n, (first, last) in enumerate(RESULTS_PEOPLE):
        candidate = Candidate.objects.create(
            birth_name=last.upper(),
            first_name=first,
            external_id=str(21900000 + n),
            birth_date=dt.date(2003, 3, n + 1),
            convocation_email=f"c{n}@example.org",
        )
        Registration.objects.create(
            candidate=candidate,
            session=session,
            academic_year=year,
            status=RegistrationStatus.CONFIRMED,
            source=RegistrationSource.ALLOCATION,
            created_at=now,
            confirmed_at=now,
        )
    return session


def check_results_upload(administrator, data, name="r.csv"):
    with rolled_back():
        client = client_for(administrator)
        results_before = CertificationResult.objects.count()
        imports_before = ResultsImport.objects.count()
        response = client.post(reverse("results:upload"), {"file": upload(name, data)})
        assert_no_crash(response)
        if response.status_code == 302:
            record = ResultsImport.objects.latest("pk")
            assert record.accepted
            assert CertificationResult.objects.count() - results_before == record.created_count
            assert record.created_count + record.updated_count <= record.line_count
            assert [level for level, _t in flashed(response)] == ["success"]
        else:
            assert_error_shown(response)
            assert CertificationResult.objects.count() == results_before
            refused = ResultsImport.objects.filter(accepted=False)
            # A refused file leaves its report (and no result); a form error leaves nothing.
            assert ResultsImport.objects.count() - imports_before in (0, 1)
            if ResultsImport.objects.count() > imports_before:
                assert escape(refused.latest("pk").error_message) in page(response)


@FUZZ
@given(data=hostile_files(RESULTS_SAMPLE), name=FILE_NAMES)
def test_results_import_of_hostile_files_is_all_or_nothing_with_a_message(
    administrator, seated, data, name
):
    check_results_upload(administrator, data, name)


@FUZZ
@given(data=one_bad_cell(RESULTS_SAMPLE) | one_bad_cell(RESULTS_SAMPLE, header=True))
@example(data=replace_cell(RESULTS_SAMPLE, 1, 0, "9" * 25))  # was a 500 on PostgreSQL
@example(data=replace_cell(RESULTS_SAMPLE, 1, 26, "9" * 25))  # session: same
def test_results_import_with_one_bad_cell_is_all_or_nothing_with_a_message(
    administrator, seated, data
):
    check_results_upload(administrator, data)


def test_the_untouched_results_sample_is_imported_whole(administrator, seated):
    with rolled_back():
        client = client_for(administrator)
        response = client.post(reverse("results:upload"), {"file": upload("r.csv", RESULTS_SAMPLE)})
        assert response.status_code == 302
        assert CertificationResult.objects.count() == 11  # the sample has 11 lines


def test_results_file_over_5_mb_is_refused_with_a_message(administrator):
    client = client_for(administrator)
    data = b"x" * (5 * 1024 * 1024 + 1)
    response = client.post(reverse("results:upload"), {"file": upload("big.csv", data)})
    assert_error_shown(response)
    assert "5 Mo" in page(response)
    assert ResultsImport.objects.count() == 0
