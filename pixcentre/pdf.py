"""PDFs from HTML through WeasyPrint, the one way every document of the centre is rendered.

Convocations, attendance sheets, receipts and reports are small documents rendered by the
hundred: per document, WeasyPrint would otherwise build a new font configuration (Fontconfig
and Pango's font map) before laying anything out. One :class:`FontConfiguration` per thread
is kept instead (WeasyPrint accepts it for any number of documents; Pango's font maps are not
shared between threads): about 11 % of a convocation's CPU (docs/performance.md,
``benchmarks/convocations.py``).
"""

from __future__ import annotations

import threading

from django.conf import settings

_local = threading.local()


def font_config():
    """This thread's WeasyPrint font configuration, made once."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def static_base_url() -> str:
    return str(settings.BASE_DIR / "static")


def render(html: str, *, base_url: str | None = None):
    """The laid-out document (``.pages``, ``.copy()``, ``.write_pdf()``)."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=base_url or static_base_url()).render(
        font_config=font_config()
    )


def write_pdf(html: str, *, base_url: str | None = None) -> bytes:
    return render(html, base_url=base_url).write_pdf()
