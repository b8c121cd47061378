"""Reading a roster to invite (student number; email; optional study year): no database."""

import pytest

from candidates.roster_files import NotARoster, parse_roster, write_roster


def test_a_roster_reads_rows_with_and_without_study_year():
    rows, problems = parse_roster(
        write_roster([("21950001", "Lea@Example.org", "L3"), ("21950002", "hugo@example.org", "")])
    )
    assert problems == []
    assert [(r.line, r.student_number, r.email, r.study_year) for r in rows] == [
        (2, "21950001", "lea@example.org", "L3"),
        (3, "21950002", "hugo@example.org", ""),
    ]


def test_headers_are_matched_by_name_and_a_comma_separator_is_accepted():
    data = b"email,numero etudiant\nlea@example.org,21950001\n"
    rows, problems = parse_roster(data)
    assert problems == [] and rows[0].student_number == "21950001"


def test_bad_rows_are_each_reported_with_line_column_and_reason():
    rows, problems = parse_roster(
        write_roster(
            [
                ("21950001", "lea@example.org", "L3"),
                ("", "x@example.org", ""),
                ("21950003", "not-an-address", ""),
                ("21950001", "again@example.org", ""),
                ("21950005", "ok@example.org", "L9"),
            ]
        )
    )
    assert [(p.line, p.column) for p in problems] == [
        (3, "Numéro étudiant"),
        (4, "E-mail"),
        (5, "Numéro étudiant"),
        (6, "Année d’études"),
    ]
    assert "ligne 2" in problems[2].reason


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe\x00a", "Nom;Prénom\nA;B\n".encode(), "Numéro étudiant;E-mail\n".encode()],
)
def test_not_a_roster_is_refused_whole(data):
    with pytest.raises(NotARoster):
        parse_roster(data)
