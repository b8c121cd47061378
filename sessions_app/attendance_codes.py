"""The presence code printed on a convocation (as a QR code and as text) that the invigilator
scans, or types, to mark the candidate present.

A code is an HMAC of the registration's id with the site's ``SECRET_KEY`` (salted for this use
only): 12 characters of base32 (60 bits), printed as ``ABCD-EFGH-JKLM``. Knowing a registration
id, or another candidate's code, tells nothing about a code; and a code is accepted only from an
invigilator of that registration's session (or an administrator), so a guess has to be made by
one of them, one request at a time. Changing ``SECRET_KEY`` invalidates the printed codes (the
convocations can be printed again).

The QR code carries the address of the presence page, ``/surveillance/presence/<id>-<code>/``:
the scanner of the day page reads the token out of it, and a phone's own camera app that opens
the address lands on a page that asks to confirm the presence. No database here.
"""

from __future__ import annotations

import base64
import re

from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "pixcentre.rollcall.presence-code"
CODE_LENGTH = 12
# Typed by hand: base32 has no 0, 1, 8 or 9; read them as the letters they look like.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B", "9": "G"})
_TOKEN = re.compile(rf"(?:^|/)(\d{{1,12}})-([A-Za-z2-7]{{{CODE_LENGTH}}})(?:/|$)")


def code_for(registration_id: int) -> str:
    digest = salted_hmac(SALT, f"registration:{registration_id}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:CODE_LENGTH]


def token_for(registration_id: int) -> str:
    """What the QR code's address carries: the registration id and its code."""
    return f"{registration_id}-{code_for(registration_id)}"


def display(code: str) -> str:
    """``ABCDEFGHJKLM`` → ``ABCD-EFGH-JKLM``, as printed under the QR code."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(text: str) -> str:
    """A code as typed: case, spaces, dashes and look-alike digits do not matter."""
    return re.sub(r"[\s\-_.]", "", text).upper().translate(_LOOKALIKES)


def read(text: str) -> tuple[int | None, str]:
    """``(registration id, code)`` from a scanned address or token, ``(None, code)`` from a code
    typed alone; the code is not checked here (see :func:`matches`)."""
    text = (text or "").strip()[:300]
    if found := _TOKEN.search(text.split("?")[0].split("#")[0]):
        return int(found.group(1)), found.group(2).upper()
    return None, normalise(text)


def matches(registration_id: int, code: str) -> bool:
    return len(code) == CODE_LENGTH and constant_time_compare(code, code_for(registration_id))
