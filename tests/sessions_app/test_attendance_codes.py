"""The presence code of a convocation (sessions_app/attendance_codes.py): no database."""

import re

from sessions_app import attendance_codes as codes


def test_a_code_is_twelve_base32_characters_and_differs_per_registration():
    first, second = codes.code_for(41), codes.code_for(42)
    assert re.fullmatch(r"[A-Z2-7]{12}", first)
    assert first != second
    assert codes.code_for(41) == first  # stable: printed once, read on the day


def test_a_code_depends_on_the_secret_key(settings):
    before = codes.code_for(41)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert codes.code_for(41) != before


def test_printed_in_groups_of_four():
    assert codes.display("ABCDEFGHJKLM") == "ABCD-EFGH-JKLM"


def test_a_scanned_address_gives_the_registration_and_its_code():
    token = codes.token_for(1234)
    url = f"https://pix.example.org/surveillance/presence/{token}/"
    assert codes.read(url) == (1234, codes.code_for(1234))
    assert codes.read(token) == (1234, codes.code_for(1234))


def test_a_typed_code_ignores_case_spaces_dashes_and_lookalike_digits():
    code = codes.code_for(7)
    typed = codes.display(code).lower().replace("-", " - ")
    assert codes.read(typed) == (None, code)
    assert codes.normalise("abc0 1x8-9") == "ABCOIXBG"


def test_only_the_right_code_matches():
    code = codes.code_for(7)
    assert codes.matches(7, code)
    assert not codes.matches(8, code)
    assert not codes.matches(7, code[:-1])
    assert not codes.matches(7, "")
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    assert not codes.matches(7, wrong)
