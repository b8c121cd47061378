"""Write a Pix Orga profiles export (the demo, the tests and the benchmarks use it)."""

from __future__ import annotations

from competences import scoring

from .profiles import (
    COL_CAMPAIGN_ID,
    COL_CAMPAIGN_NAME,
    COL_CERTIFIABLE,
    COL_CERTIFIABLE_COUNT,
    COL_CODE,
    COL_FIRST_NAME,
    COL_GROUP,
    COL_LAST_NAME,
    COL_ORGANISATION,
    COL_SENT,
    COL_SENT_AT_NEW,
    COL_SENT_AT_OLD,
    COL_STUDENT_NUMBER,
    COL_TOTAL,
    FORMULA_CHARS,
    LEVEL_PREFIX,
    NA,
    PARIS,
    PIX_PREFIX,
    default_competences,
)

# --- Writing an export shaped like Pix Orga's (benchmarks, demo data, tests) -----------------


def _quote(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text.isdigit():
        return text
    if text[:1] and text[0] in FORMULA_CHARS:
        text = "'" + text
    return '"' + text.replace('"', '""') + '"'


def write_profiles_export(
    participants: list[dict],
    *,
    campaign_id: int = 48213,
    campaign_name: str = "Collecte profils",
    organisation: str = "Avignon Université",
    campaign_code: str | None = "AVIGPIX24",
    variant: str = "new",
    student_number: bool = True,
    max_level: int | None = None,
    competences: list[tuple[str, str]] | None = None,
) -> bytes:
    """An export as Pix Orga writes it. Each participant is a dict with ``last_name``,
    ``first_name``, optional ``student_number``, ``group``, ``sent_at`` (datetime) and
    ``pix`` ({code: pix}); no ``pix`` = a participant who has not shared their profile."""
    max_lvl = scoring.max_level(max_level)
    competences = competences or default_competences()
    header = [COL_ORGANISATION, COL_CAMPAIGN_ID]
    if campaign_code is not None:
        header.append(COL_CODE)
    header += [COL_CAMPAIGN_NAME, COL_LAST_NAME, COL_FIRST_NAME, COL_GROUP]
    if student_number:
        header.append(COL_STUDENT_NUMBER)
    header += [COL_SENT, COL_SENT_AT_NEW if variant == "new" else COL_SENT_AT_OLD]
    header += [COL_TOTAL, COL_CERTIFIABLE, COL_CERTIFIABLE_COUNT]
    for _code, title in competences:
        header += [LEVEL_PREFIX + title, PIX_PREFIX + title]
    lines = [";".join(_quote(h) for h in header)]
    for p in participants:
        cells = [organisation, campaign_id]
        if campaign_code is not None:
            cells.append(campaign_code)
        cells += [campaign_name, p["last_name"], p["first_name"], p.get("group", "")]
        if student_number:
            cells.append(p.get("student_number", ""))
        pix = p.get("pix")
        if pix is None:
            cells.append("Non")
            cells += [NA] * (4 + 2 * len(competences))
        else:
            sent_at = p["sent_at"].astimezone(PARIS)
            levels = [scoring.level_for_pix(pix[c], max_lvl) for c, _t in competences]
            cells += [
                "Oui",
                sent_at.strftime("%d/%m/%Y %H:%M")
                if variant == "new"
                else sent_at.date().isoformat(),
                scoring.profile_total([pix[c] for c, _t in competences], max_lvl),
                "Oui" if scoring.is_certifiable(levels) else "Non",
                scoring.certifiable_competences(levels),
            ]
            for (code, _t), level in zip(competences, levels, strict=True):
                cells += [level, min(pix[code], scoring.max_competence_pix(max_lvl))]
        lines.append(";".join(_quote(c) for c in cells))
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")
