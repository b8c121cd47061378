"""Pix Orga profile imports: stored, run by a task with progress, all or nothing."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from competences import scoring
from outbox.dispatch import enqueue

from .. import priority
from ..models import (
    SEARCH_FIELDS,
    Candidate,
    CandidateKind,
    ImportStatus,
    PositioningProfile,
    ProfileImport,
    StudyYear,
    StudyYearSource,
    UnitEnrolment,
    search_values,
)
from ..pix import profiles as pix_files
from . import bulk
from .common import _now
from .scores import SCORE_FIELDS

logger = logging.getLogger(__name__)


# --- Profile imports -----------------------------------------------------------------------------


def progress_key(import_id: int) -> str:
    return f"candidates:profile-import:{import_id}:progress"


def import_progress(profile_import: ProfileImport) -> dict:
    """What the progress bar shows. While the import runs in its transaction the database row
    cannot show its progress to other connections, so the running task also writes it to the
    cache (Redis in production, shared with the web processes)."""
    processed = profile_import.processed_rows
    if not profile_import.is_finished:
        processed = max(processed, cache.get(progress_key(profile_import.pk), 0))
    total = profile_import.total_rows
    percent = (
        100 if profile_import.is_finished else (min(99, processed * 100 // total) if total else 0)
    )
    return {
        "id": profile_import.pk,
        "status": profile_import.status,
        "status_label": str(profile_import.get_status_display()),
        "finished": profile_import.is_finished,
        "processed": processed,
        "total": total,
        "percent": percent,
    }


def start_profile_import(*, data: bytes, file_name: str, acting_user, now=None) -> ProfileImport:
    """Store an uploaded export and run its import as a Celery task after commit (in-process
    when no broker is configured)."""
    now = _now(now)
    with transaction.atomic():
        profile_import = ProfileImport.objects.create(
            uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            created_at=now,
            file_name=file_name[:255],
        )
        profile_import.file.save(file_name[-100:] or "export.csv", ContentFile(data), save=True)
        enqueue("candidates.tasks.run_profile_import", profile_import.pk)
    return profile_import


def claim_profile_import(import_id: int, *, now=None) -> ProfileImport | None:
    """Mark a pending import as running; None when another run already took it (idempotence)."""
    claimed = ProfileImport.objects.filter(pk=import_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=_now(now)
    )
    return ProfileImport.objects.get(pk=import_id) if claimed else None


def run_stored_profile_import(import_id: int, *, now=None) -> ProfileImport | None:
    profile_import = claim_profile_import(import_id, now=now)
    if profile_import is None:
        return None
    try:
        with profile_import.file.open("rb") as f:
            data = f.read()
        return import_profiles(
            data,
            file_name=profile_import.file_name,
            acting_user=profile_import.uploaded_by,
            profile_import=profile_import,
            now=now,
        )
    except Exception:
        # Nothing was imported (the writing transaction rolled back): say so on the page
        # rather than leaving the import "running" for ever, then let Celery log the error.
        ProfileImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED,
            finished_at=_now(now),
            error_message=_(
                "L’import a échoué sur une erreur technique ; rien n’a été importé. "
                "Réessayez ou prévenez l’équipe technique."
            ),
        )
        raise


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    without_profile: int = 0
    candidates_created: int = 0
    touched: set[int] = field(default_factory=set)
    warnings: list[dict] = field(default_factory=list)


class _DryRun(Exception):
    pass


def import_profiles(
    data: bytes,
    *,
    file_name: str,
    acting_user=None,
    now=None,
    dry_run: bool = False,
    profile_import: ProfileImport | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ProfileImport:
    """Import a Pix Orga profile export, all or nothing.

    Returns the :class:`ProfileImport` recording what happened: ``REFUSED`` with
    ``error_message`` (not a Pix export) or ``error_report`` (bad rows) and nothing imported,
    ``FAILED`` with ``error_message`` when the database refused a write (nothing imported
    either: never a traceback for the person importing), else ``DONE`` with the counts and
    ``warnings`` (rows imported that a person should check: a student number known under
    another name). ``dry_run`` computes the same counts and rolls back (the returned record
    is not saved). Validation is :func:`pix_files.parse_profiles_export`, pure."""
    now = _now(now)
    if profile_import is None:
        profile_import = ProfileImport(
            uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            created_at=now,
            file_name=file_name[:255],
        )
    profile_import.started_at = profile_import.started_at or now
    try:
        export = pix_files.parse_profiles_export(data)
    except pix_files.NotAPixExport as exc:
        return _refuse(profile_import, now, dry_run, message=str(exc))
    profile_import.campaign_id = export.campaign_id[:32]
    profile_import.campaign_name = export.campaign_name[:255]
    profile_import.total_rows = len(export.rows) + len({p.line for p in export.problems})
    if export.problems:
        return _refuse(
            profile_import,
            now,
            dry_run,
            message=_("%(n)s problème(s) dans le fichier : rien n’a été importé.")
            % {"n": len(export.problems)},
            report=[p.as_dict() for p in export.problems],
        )

    def progress(done):
        if profile_import.pk:
            cache.set(progress_key(profile_import.pk), done, timeout=3600)
        if on_progress:
            on_progress(done, len(export.rows))

    try:
        with transaction.atomic():
            counts = _write_profiles(export, profile_import, now=now, progress=progress)
            profile_import.created_count = counts.created
            profile_import.updated_count = counts.updated
            profile_import.unchanged_count = counts.unchanged
            profile_import.without_profile_count = counts.without_profile
            profile_import.candidates_created_count = counts.candidates_created
            profile_import.warnings = counts.warnings
            profile_import.processed_rows = len(export.rows)
            profile_import.status = ImportStatus.DONE
            profile_import.finished_at = now
            if dry_run:
                raise _DryRun
            profile_import.save()
            audit.record(
                AuditAction.PROFILES_IMPORTED,
                actor=acting_user,
                obj=profile_import,
                after={
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                    "without_profile": counts.without_profile,
                    "candidates_created": counts.candidates_created,
                },
                summary=profile_import.file_name,
                now=now,
            )
    except _DryRun:
        pass
    except DatabaseError:
        # Rolled back: nothing of this file is in the database. Say so, and keep the
        # technical detail for the logs.
        logger.exception("Profile import %s failed on a database error", file_name)
        return _fail(profile_import, now, dry_run)
    return profile_import


def _fail(profile_import, now, dry_run):
    profile_import.status = ImportStatus.FAILED
    profile_import.error_message = _(
        "L’import a échoué sur une erreur de la base de données ; rien n’a été importé. "
        "Réessayez dans quelques minutes ou prévenez l’équipe technique."
    )
    profile_import.error_report = []
    profile_import.warnings = []
    for name in ("created_count", "updated_count", "unchanged_count", "without_profile_count"):
        setattr(profile_import, name, 0)
    profile_import.candidates_created_count = 0
    profile_import.processed_rows = 0
    profile_import.finished_at = now
    if not dry_run:
        try:
            profile_import.save()
        except DatabaseError:  # the database is away altogether: the message is returned
            logger.exception("Could not record the failed profile import")
    return profile_import


def _refuse(profile_import, now, dry_run, *, message, report=None):
    profile_import.status = ImportStatus.REFUSED
    profile_import.error_message = message
    profile_import.error_report = report or []
    profile_import.finished_at = now
    if not dry_run:
        profile_import.save()
    return profile_import


def _study_year(group: str) -> str:
    """ "M2 Géographie" → M2: Pix groups of students start with their year."""
    head = (group.split() or [""])[0].upper()
    return (
        head
        if head in (StudyYear.L1, StudyYear.L2, StudyYear.L3, StudyYear.M1, StudyYear.M2)
        else ""
    )


def _write_profiles(export: pix_files.ProfilesExport, profile_import, *, now, progress) -> _Counts:
    """Write an export's rows in one pass, as tuples (no model instance per row, see
    ``bulk.py``): new candidates are inserted with their scores and priority tier already
    computed from the row, existing ones whose newest profile changed get theirs in one
    ``UPDATE``, so nothing is read twice and no score task follows the import."""
    counts = _Counts()
    rows = export.rows
    normalise = pix_files.normalise
    # 1. Existing candidates, by external id (student number), else by name without one:
    #    (pk, external_id, study_year, programme, birth_name, first_name, kind).
    columns = ("pk", "external_id", "study_year", "programme", "birth_name", "first_name", "kind")
    ids = [r.external_id for r in rows if r.external_id]
    by_id: dict[str, tuple] = (
        {
            c[1]: c
            for c in Candidate.objects.filter(
                external_id__in=bulk.values_in(ids, "varchar")
            ).values_list(*columns)
        }
        if ids
        else {}
    )
    by_name: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    names = sorted({r.last_name for r in rows if not r.external_id})
    if names:
        for c in Candidate.objects.filter(
            external_id="", birth_name__in=bulk.values_in(names, "varchar")
        ).values_list(*columns):
            by_name[(normalise(c[4]), normalise(c[5]))].append(c)

    def existing(row):
        if row.external_id:
            return by_id.get(row.external_id)
        found = by_name.get((normalise(row.last_name), normalise(row.first_name)))
        return found[0] if found and len(found) == 1 else None

    # A student number known under another name is imported (Pix Orga is the reference for
    # the profile), and listed for a person to check: a typo, a married name, or a mix-up.
    for row in rows:
        known = by_id.get(row.external_id) if row.external_id else None
        if known is not None and pix_files.name_key(known[4], known[5]) != pix_files.name_key(
            row.last_name, row.first_name
        ):
            counts.warnings.append(
                {
                    "line": row.line,
                    "column": export.external_id_column,
                    "value": row.external_id,
                    "reason": _(
                        "Ce numéro d’étudiant est connu sous le nom « %(known)s » ; le fichier "
                        "dit « %(file)s ». Le profil a été importé pour %(known)s : vérifiez."
                    )
                    % {
                        "known": f"{known[5]} {known[4]}",
                        "file": f"{row.first_name} {row.last_name}",
                    },
                }
            )

    found_of = {row.line: existing(row) for row in rows}
    old = [f for f in found_of.values() if f is not None]

    # 2. What the existing candidates already have: profile snapshots (the newest decides the
    #    scores) and completed preparation units (they decide the tier with the level).
    known: set[tuple[int, str, dt.datetime]] = set()
    newest: dict[int, tuple] = {}  # candidate → (measured_at, pk, total, certifiable, average)
    completed: dict[int, set[str]] = defaultdict(set)
    if old:
        old_ids = bulk.values_in([f[0] for f in old], "bigint")
        for (
            cid,
            campaign,
            measured,
            pk,
            total,
            certifiable,
            average,
        ) in PositioningProfile.objects.filter(candidate_id__in=old_ids).values_list(
            "candidate_id",
            "campaign_id",
            "measured_at",
            "pk",
            "total_pix",
            "is_certifiable",
            "average_level",
        ):
            known.add((cid, campaign, measured))
            if cid not in newest or (measured, pk) > newest[cid][:2]:
                newest[cid] = (measured, pk, total, certifiable, average)
        for cid, code, done, count in UnitEnrolment.objects.filter(
            candidate_id__in=old_ids
        ).values_list("candidate_id", "unit__code", "courses_completed", "unit__course_count"):
            if done >= count:
                completed[cid].add(code)

    reasons: dict[tuple, tuple[int, str]] = {}  # few distinct inputs: word each reason once
    no_units: frozenset[str] = frozenset()

    def tier(kind, study_year, average, units=no_units):
        key = (kind, study_year, average, units)
        if key not in reasons:
            reasons[key] = priority.priority(
                kind=kind, study_year=study_year, average_level=average, completed_units=units
            )
        return reasons[key]

    # 3. Every row once: the snapshot to add (if new) and the candidate's scores.
    campaign_id, campaign_name = export.campaign_id, export.campaign_name[:255]
    source = profile_import.pk
    certifiable_competences = scoring.certifiable_competences
    is_certifiable, average_level = scoring.is_certifiable, scoring.average_level
    new_rows, new_profiles, profiles, scores, fill = [], [], [], [], []
    for n, row in enumerate(rows, 1):
        if n % PROGRESS_EVERY == 0:
            progress(n)
        found = found_of[row.line]
        snapshot = None
        if row.has_profile:
            levels = list(row.levels.values())
            snapshot = (
                row.sent_at,
                campaign_id,
                campaign_name,
                source,
                row.levels,
                row.pix,
                row.total_pix,
                certifiable_competences(levels),
                is_certifiable(levels),
                average_level(levels),
                now,
            )
        else:
            counts.without_profile += 1
        if found is None:
            year = _study_year(row.group)
            total, certifiable, average = (
                (snapshot[6], snapshot[8], snapshot[9]) if snapshot else (None, False, None)
            )
            last_name, first_name, external_id = (
                row.last_name[:100],
                row.first_name[:100],
                row.external_id[:64],
            )
            new_rows.append(
                (
                    CandidateKind.STUDENT,
                    last_name,
                    first_name,
                    external_id,
                    *search_values(last_name, first_name, external_id, ""),
                    row.group[:200],
                    year,
                    StudyYearSource.IMPORT if year else StudyYearSource.UNKNOWN,
                    row.sent_at or now,
                    total,
                    certifiable,
                    average,
                    *tier(CandidateKind.STUDENT, year, average),
                    now,
                )
            )
            new_profiles.append(snapshot)
            if snapshot:
                counts.created += 1
            continue
        cid, study_year, programme, kind = found[0], found[2], found[3], found[6]
        # Existing candidates without a year yet get the one the file gives.
        year = _study_year(row.group) if row.group and not study_year else ""
        if year:
            fill.append((cid, year, StudyYearSource.IMPORT, programme or row.group[:200]))
            study_year = year
        if snapshot is None:
            continue
        if (cid, campaign_id, row.sent_at) in known:
            counts.unchanged += 1
            continue
        profiles.append((cid, *snapshot))
        if cid in newest:
            counts.updated += 1
        else:
            counts.created += 1
        counts.touched.add(cid)
        before = newest.get(cid)
        if before is None or row.sent_at >= before[0]:  # the newer snapshot (ties: the last)
            total, certifiable, average = snapshot[6], snapshot[8], snapshot[9]
        else:
            total, certifiable, average = before[2:]
        units = frozenset(completed[cid]) if cid in completed else no_units
        scores.append(
            (cid, total, certifiable, average, *tier(kind, study_year, average, units), now)
        )

    new_ids = bulk.insert_rows(Candidate, NEW_CANDIDATE_COLUMNS, new_rows, now=now, returning=True)
    counts.candidates_created = len(new_ids)
    counts.touched.update(new_ids)
    profiles += [
        (cid, *snapshot)
        for cid, snapshot in zip(new_ids, new_profiles, strict=True)
        if snapshot is not None
    ]
    bulk.insert_rows(PositioningProfile, PROFILE_COLUMNS, profiles, now=now)
    bulk.update_rows(Candidate, ("study_year", "study_year_source", "programme"), fill)
    bulk.update_rows(Candidate, SCORE_FIELDS, scores)
    progress(len(rows))
    return counts


PROGRESS_EVERY = 2000  # rows between two progress reports (the cache, for the progress bar)
NEW_CANDIDATE_COLUMNS = (
    "kind",
    "birth_name",
    "first_name",
    "external_id",
    *SEARCH_FIELDS,  # what Candidate.save would fold (candidates.models.search_values)
    "programme",
    "study_year",
    "study_year_source",  # who said the year (candidates.models.StudyYearSource)
    "last_activity_at",
    *SCORE_FIELDS,
)
PROFILE_COLUMNS = (
    "candidate_id",
    "measured_at",
    "campaign_id",
    "campaign_name",
    "source_import_id",
    "levels",
    "pix",
    "total_pix",
    "certifiable_competences",
    "is_certifiable",
    "average_level",
    "created_at",
)


def newest_profile(candidate: Candidate) -> PositioningProfile | None:
    return candidate.profiles.order_by("-measured_at", "-pk").first()
