"""Importing the Pix Certif results export (formats README §3) into certification results.

The file is read by ``pix_results.parse_results`` (all lines valid or nothing). Each line is then
matched to a registration: the candidate by ``Identifiant Externe``, else by first name + birth
name + birth date (case, accents, hyphens and apostrophes ignored); then that candidate's seat
(confirmed or no-show) in the session whose Pix Certif number is the line's ``Session``, else in
the session held on the line's date. Every line must match, once: one unmatched line refuses the
whole file, and the report lists each problem. An accepted file creates or updates the results
in one transaction, writes the audit trail, emails each candidate whose result is new (after
commit, once) and asks Celery to recompute the statistics.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from accounts.emails import build_message, render_email
from candidates.models import Candidate
from competences import scoring
from outbox.dispatch import enqueue
from pixcentre.errors import DomainError

from ..models import (
    CertificationResult,
    Registration,
    RegistrationStatus,
    ResultsImport,
)
from ..pix import results as pix_results
from .mail import candidate_language, recipient

MATCHABLE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW)
COL_IDENTITY = "Identifiant Externe / Prénom + Nom + Date de naissance"


class ResultsImportError(DomainError):
    """The file was refused; ``record`` is the saved ``ResultsImport`` with the report."""

    def __init__(self, record: ResultsImport):
        super().__init__(record.error_message)
        self.record = record
        self.problems = record.error_report


def normalise(text: str) -> str:
    """``Da Silva`` = ``DA-SILVA`` = ``da silva``; ``Léa`` = ``LEA``; ``N’Diaye`` = ``N'DIAYE``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    for sep in "-'’.":
        plain = plain.replace(sep, " ")
    return " ".join(plain.split()).casefold()


def identity_key(first_name: str, last_name: str, birth_date) -> tuple:
    return (normalise(first_name), normalise(last_name), birth_date)


def _problem(line, column, value, reason) -> dict:
    return {"line": line, "column": column, "value": value, "reason": str(reason)}


def _refuse(*, file_name, acting_user, now, message, problems, variant="") -> ResultsImport:
    return ResultsImport.objects.create(
        uploaded_by=acting_user if acting_user and acting_user.is_authenticated else None,
        created_at=now,
        file_name=file_name[:255],
        variant=variant,
        accepted=False,
        error_message=str(message),
        error_report=problems,
    )


def _match(lines) -> tuple[dict[int, Registration], list[dict]]:
    """{line number: registration} for every line, or the problems of those that don't match."""
    external_ids = {line.external_id for line in lines if line.external_id}
    by_external = {c.external_id: c for c in Candidate.objects.filter(external_id__in=external_ids)}
    dates = {line.birth_date for line in lines}
    by_identity: dict[tuple, list[Candidate]] = {}
    for c in Candidate.objects.filter(birth_date__in=dates):
        by_identity.setdefault(identity_key(c.first_name, c.birth_name, c.birth_date), []).append(c)
    candidates = {}
    problems = []
    for line in lines:
        candidate = by_external.get(line.external_id) if line.external_id else None
        if candidate is None:
            found = by_identity.get(identity_key(line.first_name, line.last_name, line.birth_date))
            if found and len(found) == 1:
                candidate = found[0]
            elif found:
                problems.append(
                    _problem(
                        line.line,
                        COL_IDENTITY,
                        f"{line.first_name} {line.last_name}",
                        _("Plusieurs candidats ont ce nom et cette date de naissance."),
                    )
                )
                continue
        if candidate is None:
            if line.external_id:
                reason = _(
                    "Identifiant externe inconnu, et aucun candidat avec ce prénom, ce nom et "
                    "cette date de naissance."
                )
                value = line.external_id
            else:
                reason = _("Aucun candidat avec ce prénom, ce nom et cette date de naissance.")
                value = f"{line.first_name} {line.last_name} {line.birth_date:%d/%m/%Y}"
            problems.append(_problem(line.line, COL_IDENTITY, value, reason))
            continue
        candidates[line.line] = candidate

    seats = Registration.objects.filter(
        candidate__in={c.pk for c in candidates.values()}, status__in=MATCHABLE_STATUSES
    ).select_related("session", "candidate__user")
    seats_of: dict[int, list[Registration]] = {}
    for r in seats:
        seats_of.setdefault(r.candidate_id, []).append(r)
    matched: dict[int, Registration] = {}
    first_line_of: dict[int, int] = {}
    for line in lines:
        candidate = candidates.get(line.line)
        if candidate is None:
            continue
        options = seats_of.get(candidate.pk, [])
        registration = next(
            (r for r in options if r.session.pix_session_number == line.session_number), None
        ) or next((r for r in options if r.session.date == line.taken_on), None)
        if registration is None:
            problems.append(
                _problem(
                    line.line,
                    pix_results.COL_SESSION,
                    line.session_number,
                    _(
                        "%(candidate)s n’a pas de place dans la session Pix %(number)s ni dans "
                        "une session du %(date)s."
                    )
                    % {
                        "candidate": candidate,
                        "number": line.session_number,
                        "date": line.taken_on.strftime("%d/%m/%Y"),
                    },
                )
            )
            continue
        if registration.pk in first_line_of:
            problems.append(
                _problem(
                    line.line,
                    COL_IDENTITY,
                    str(candidate),
                    _("Ce candidat a déjà un résultat ligne %(line)d.")
                    % {"line": first_line_of[registration.pk]},
                )
            )
            continue
        first_line_of[registration.pk] = line.line
        matched[line.line] = registration
    taken = dict(
        CertificationResult.objects.filter(
            certification_number__in=[line.certification_number for line in lines]
        ).values_list("certification_number", "registration_id")
    )
    for line in lines:
        registration = matched.get(line.line)
        owner = taken.get(line.certification_number)
        if registration and owner and owner != registration.pk:
            problems.append(
                _problem(
                    line.line,
                    pix_results.COL_NUMBER,
                    line.certification_number,
                    _("Ce numéro de certification est déjà celui d’un autre candidat."),
                )
            )
    return matched, sorted(problems, key=lambda p: p["line"])


def import_results(data: bytes, *, file_name: str, acting_user=None, now=None) -> ResultsImport:
    """Import a results export, all or nothing. Raises :class:`ResultsImportError` (with the
    saved report) when the file is refused; returns the accepted ``ResultsImport``."""
    now = now or timezone.now()
    try:
        parsed = pix_results.parse_results(data)
    except pix_results.ResultsFileError as exc:
        problems = [asdict(p) for p in exc.problems]
        raise ResultsImportError(
            _refuse(
                file_name=file_name,
                acting_user=acting_user,
                now=now,
                message=exc.message,
                problems=problems,
            )
        ) from exc
    except pix_results.NotAResultsFile as exc:
        raise ResultsImportError(
            _refuse(
                file_name=file_name,
                acting_user=acting_user,
                now=now,
                message=exc.message,
                problems=[],
            )
        ) from exc
    matched, problems = _match(parsed.lines)
    if problems:
        raise ResultsImportError(
            _refuse(
                file_name=file_name,
                acting_user=acting_user,
                now=now,
                variant=parsed.variant,
                message=_(
                    "%(count)d ligne(s) ne correspondent à aucune inscription ; aucun résultat "
                    "n’a été importé."
                )
                % {"count": len({p["line"] for p in problems})},
                problems=problems,
            )
        )
    return _store(parsed, matched, file_name=file_name, acting_user=acting_user, now=now)


@transaction.atomic(durable=True)
def _store(parsed, matched, *, file_name, acting_user, now) -> ResultsImport:
    record = ResultsImport.objects.create(
        uploaded_by=acting_user if acting_user and acting_user.is_authenticated else None,
        created_at=now,
        file_name=file_name[:255],
        variant=parsed.variant,
        accepted=True,
        line_count=len(parsed.lines),
    )
    existing = {
        r.registration_id: r
        for r in CertificationResult.objects.filter(
            registration__in=[r.pk for r in matched.values()]
        )
    }
    to_notify = []
    years = set()
    for line in parsed.lines:
        registration = matched[line.line]
        years.add(registration.academic_year_id)
        values = {
            "certification_number": line.certification_number,
            "certification_type": line.certification_type,
            "status": line.status,
            "score": line.score,
            "level": line.level,
            "competence_levels": line.competence_levels,
            "complementary": line.complementary,
            "jury_comment": line.jury_comment,
            "pix_session_number": line.session_number,
            "taken_on": line.taken_on,
            "source_import": record,
            "imported_at": now,
        }
        result = existing.get(registration.pk)
        if result is None:
            result = CertificationResult.objects.create(registration=registration, **values)
            record.created_count += 1
            before = None
        else:
            before = {"status": result.status, "score": result.score, "level": result.level}
            if before == {"status": line.status, "score": line.score, "level": line.level} and (
                result.competence_levels == line.competence_levels
                and result.complementary == line.complementary
                and result.certification_type == line.certification_type
            ):
                continue
            for name, value in values.items():
                setattr(result, name, value)
            result.save()
            record.updated_count += 1
        audit.record(
            AuditAction.RESULT_IMPORTED if before is None else AuditAction.RESULT_UPDATED,
            actor=acting_user,
            obj=result,
            candidate_id=registration.candidate_id,
            session_id=registration.session_id,
            before=before,
            after={"status": line.status, "score": line.score, "level": line.level},
            summary=f"{file_name} ligne {line.line}",
            now=now,
        )
        if result.notified_at is None:
            to_notify.append(result.pk)
    record.save(update_fields=["created_count", "updated_count"])
    for pk in to_notify:
        enqueue("sessions_app.tasks.notify_result", pk)
    for year_id in years:
        enqueue("sessions_app.tasks.compute_statistics", year_id)
    return record


def notify_result(result_id: int, *, now=None) -> str:
    """Email the candidate that their result has arrived; at most once (claim on
    ``notified_at``, released if the SMTP server refuses, for the task to retry)."""
    now = now or timezone.now()
    claimed = CertificationResult.objects.filter(pk=result_id, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return "skipped"
    result = CertificationResult.objects.select_related("registration__candidate__user").get(
        pk=result_id
    )
    candidate = result.registration.candidate
    to = recipient(candidate)
    if not to:
        return "skipped"
    language = candidate_language(candidate)
    with translation.override(language):
        score = (
            _("%(score)s pix sur %(max)s") % {"score": result.score, "max": scoring.max_score()}
            if result.score is not None
            else "—"
        )
        status = result.get_status_display()
    email = render_email(
        "sessions_app/emails/result_arrived",
        {
            "name": candidate.first_name,
            "status": status,
            "score": score,
            "url": settings.PIX_SITE_URL.rstrip("/") + reverse("results:mine"),
            # 2026 files: Pix's level label (« Expert 1 », « Admissible »…) and certification.
            "with_level": bool(result.level or result.certification_type),
            "certification": result.certification_type or "Pix",
            "level": result.level or "—",
        },
        language=language,
    )
    try:
        build_message(email, to).send()
    except Exception:
        CertificationResult.objects.filter(pk=result_id).update(notified_at=None)
        raise
    return "sent"
