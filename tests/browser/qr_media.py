"""Pictures and a fake camera's video of a QR code, for the roll call's scanner.

Chromium's fake camera (``--use-fake-device-for-media-stream``) plays a Y4M file in a loop
(``--use-file-for-fake-video-capture``): a few still frames of the QR code are a phone held
still over a convocation.
"""

import io
from pathlib import Path

import segno
from PIL import Image


def qr_image(text: str, *, size: int = 360) -> Image.Image:
    qr = segno.make_qr(text, error="m")
    scale = max(1, size // qr.symbol_size(border=4)[0])
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def qr_png(text: str, path: Path) -> Path:
    qr_image(text).save(path)
    return path


def qr_y4m(text: str, path: Path, *, width: int = 640, height: int = 480, frames: int = 5) -> Path:
    """A Y4M video (4:2:0, grey) of the QR code centred on a light background."""
    frame = Image.new("L", (width, height), 235)
    code = qr_image(text, size=min(width, height) - 40)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma + chroma)
    return path
