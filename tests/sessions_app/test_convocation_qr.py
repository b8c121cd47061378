"""The presence QR code of a convocation: a standard QR code (level M) of the presence address,
with a fixed data mask instead of the one segno's penalty score picks (any of the 8 masks is
valid, ISO/IEC 18004 7.8.2; scoring them cost about 5 ms of CPU per convocation). The roll
call's scanner reading it back, with jsQR, is ``tests/browser/test_rollcall.py``."""

import base64
import io

import pytest
import segno
from django.urls import reverse
from PIL import Image

from sessions_app import attendance_codes
from sessions_app.services import convocations
from sessions_app.services.convocations.common import site_url

from .conftest import make_candidate, make_session
from .test_convocations import register

pytestmark = pytest.mark.django_db

SCALE, BORDER = 8, 4


def modules(data_uri: str) -> list[list[int]]:
    """The picture's modules (1 = dark), sampled at the centre of each 8-pixel square."""
    png = base64.b64decode(data_uri.removeprefix("data:image/png;base64,"))
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.width == image.height and image.width % SCALE == 0
    side = image.width // SCALE - 2 * BORDER
    at = lambda i: (BORDER + i) * SCALE + SCALE // 2  # noqa: E731
    return [[int(image.getpixel((at(x), at(y))) < 128) for x in range(side)] for y in range(side)]


def format_information(matrix) -> tuple[int, int]:
    """(error correction bits, mask) read from the format information beside the top-left
    finder pattern (ISO/IEC 18004 7.9), after checking its BCH code."""
    cells = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    word = 0
    for r, c in cells:
        word = word << 1 | matrix[r][c]
    word ^= 0b101010000010010
    data, remainder = word >> 10, word
    for shift in range(4, -1, -1):  # the remainder of word / x^10+x^8+x^5+x^4+x^2+x+1
        if remainder >> (shift + 10) & 1:
            remainder ^= 0b10100110111 << shift
    assert remainder == 0, "not a valid format information"
    return data >> 3, data & 0b111


def test_the_qr_code_is_the_presence_address_at_level_m_with_the_fixed_mask(year, room):
    session = make_session(year, room, day=20, hour=14)
    for registration in [register(session, make_candidate()) for _ in range(3)]:
        token = attendance_codes.token_for(registration.pk)
        address = site_url(reverse("invigilation:presence", args=[token]))
        matrix = modules(convocations.presence_qr(registration))
        assert format_information(matrix) == (0b00, convocations.documents.QR_MASK)  # M
        # Module for module what a reference encoder makes of the address with that mask.
        reference = segno.make_qr(address, error="m", mask=convocations.documents.QR_MASK)
        assert matrix == [list(row) for row in reference.matrix]
        # ... and not the same picture as another registration's.
        assert matrix != modules(convocations.presence_qr(register(session, make_candidate())))


@pytest.mark.parametrize("scale", [8, 16])
def test_the_png_is_segnos_own_picture_pixel_for_pixel(scale):
    qr = segno.make_qr("http://testserver/surveillance/presence/7-ABCDEFGHJKLM/", error="m")

    def pixels(data_uri):
        png = base64.b64decode(data_uri.removeprefix("data:image/png;base64,"))
        image = Image.open(io.BytesIO(png)).convert("L")
        return image.size, image.tobytes()

    ours = convocations.documents._png_data_uri(qr, scale=scale, border=4)
    assert pixels(ours) == pixels(qr.png_data_uri(scale=scale, border=4))
