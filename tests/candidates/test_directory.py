"""Reading the university directory's attributes (SUPANN names): no database."""

import pytest

from candidates import directory
from candidates.directory import DirectoryError, read_person

STUDENT = {
    "uid": "lmartin",
    "mail": "Lea.Martin@etu.univ-avignon.fr",
    "givenName": "Léa",
    "sn": "Martin",
    "supannEtuId": "21950001",
    "supannEtuCursusAnnee": ["{SUPANN}L3", "{SUPANN}M1"],
    "supannEtuEtape": "M1 Informatique",
    "eduPersonAffiliation": ["student", "member"],
}


def test_a_student_reads_with_number_highest_year_programme_and_lowercase_email():
    person = read_person("lmartin", STUDENT)
    assert person.kind == directory.STUDENT
    assert person.student_number == "21950001"
    assert person.study_year == "M1"
    assert person.programme == "M1 Informatique"
    assert person.email == "lea.martin@etu.univ-avignon.fr"
    assert (person.first_name, person.last_name) == ("Léa", "Martin")


@pytest.mark.parametrize(
    ("values", "year"),
    [
        (["{SUPANN}L1"], "L1"),
        ("{SUPANN}L3", "L3"),
        (["{SUPANN}M2"], "M2"),
        (["{SUPANN}D2", "{SUPANN}M2"], "D"),
        (["{SUPANN}X1"], "other"),
        (["M1"], "M1"),
        ([], ""),
    ],
)
def test_study_year_from_cursus(values, year):
    assert read_person("u", {**STUDENT, "supannEtuCursusAnnee": values}).study_year == year


@pytest.mark.parametrize("affiliation", [["staff", "member"], ["employee"], "faculty"])
def test_staff_affiliations_make_a_staff_person_without_student_number(affiliation):
    attributes = {**STUDENT, "eduPersonAffiliation": affiliation}
    attributes.pop("supannEtuId")
    person = read_person("u", attributes)
    assert person.kind == directory.STAFF
    assert person.student_number == "" and person.study_year == ""


def test_student_and_employee_counts_as_student():
    assert read_person("u", {**STUDENT, "eduPersonAffiliation": ["employee", "student"]}).kind == (
        directory.STUDENT
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"mail": None}, "adresse e-mail"),
        ({"mail": "pas-une-adresse"}, "invalide"),
        ({"sn": ""}, "nom et prénom"),
        ({"supannEtuId": None}, "numéro étudiant"),
        ({"supannEtuId": "21 95 0001"}, "illisible"),
        ({"supannEtuCursusAnnee": ["troisième année"]}, "année d’études illisible"),
        ({"eduPersonAffiliation": None}, "statut"),
        ({"eduPersonAffiliation": ["affiliate"]}, "candidat externe"),
    ],
)
def test_missing_or_malformed_attributes_are_refused_with_a_clear_message(change, words):
    attributes = {k: v for k, v in {**STUDENT, **change}.items() if v is not None}
    with pytest.raises(DirectoryError) as refused:
        read_person("lmartin", attributes)
    assert words in str(refused.value)


def test_no_attributes_at_all_is_refused():
    with pytest.raises(DirectoryError):
        read_person("lmartin", None)
