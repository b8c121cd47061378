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
from competences import scoring
from outbox.dispatch import enqueue

from ..models import (
    Candidate,
    CandidateKind,
    ImportStatus,
    PositioningProfile,
    ProfileImport,
    StudyYear,
)
from ..pix import profiles as pix_files
from .common import INSERT_BATCH, _chunks, _now

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
    from ..tasks import run_profile_import

    now = _now(now)
    with transaction.atomic():
        profile_import = ProfileImport.objects.create(
            uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            created_at=now,
            file_name=file_name[:255],
        )
        profile_import.file.save(file_name[-100:] or "export.csv", ContentFile(data), save=True)
        enqueue(run_profile_import, profile_import.pk)
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
                "profiles_imported",
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
            touched = sorted(counts.touched)
            if touched:
                from ..tasks import compute_scores_task

                enqueue(compute_scores_task, touched)
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
    counts = _Counts()
    rows = export.rows
    # 1. Existing candidates, by external id (student number), else by name without one.
    by_id: dict[str, Candidate] = {}
    ids = [r.external_id for r in rows if r.external_id]
    for chunk in _chunks(ids):
        for c in Candidate.objects.filter(external_id__in=chunk).only(
            "pk", "external_id", "study_year", "programme", "birth_name", "first_name"
        ):
            by_id[c.external_id] = c
    by_name: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    nameless = [r for r in rows if not r.external_id]
    for chunk in _chunks(sorted({r.last_name for r in nameless})):
        for c in Candidate.objects.filter(external_id="", birth_name__in=chunk).only(
            "pk", "birth_name", "first_name", "study_year", "programme"
        ):
            by_name[(pix_files.normalise(c.birth_name), pix_files.normalise(c.first_name))].append(
                c
            )

    def existing(row):
        if row.external_id:
            return by_id.get(row.external_id)
        found = by_name.get(
            (pix_files.normalise(row.last_name), pix_files.normalise(row.first_name))
        )
        return found[0] if found and len(found) == 1 else None

    # A student number known under another name is imported (Pix Orga is the reference for
    # the profile), and listed for a person to check: a typo, a married name, or a mix-up.
    for row in rows:
        known = by_id.get(row.external_id) if row.external_id else None
        if known is not None and pix_files.name_key(
            known.birth_name, known.first_name
        ) != pix_files.name_key(row.last_name, row.first_name):
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
                        "known": f"{known.first_name} {known.birth_name}",
                        "file": f"{row.first_name} {row.last_name}",
                    },
                }
            )

    # 2. New candidates, in bulk.
    new = {}
    for row in rows:
        if existing(row) is None:
            new[row.line] = Candidate(
                kind=CandidateKind.STUDENT,
                birth_name=row.last_name[:100],
                first_name=row.first_name[:100],
                external_id=row.external_id[:64],
                programme=row.group[:200],
                study_year=_study_year(row.group),
                last_activity_at=row.sent_at or now,
            )
    # PostgreSQL and SQLite (3.35+) return the new ids from a bulk insert.
    created = Candidate.objects.bulk_create(list(new.values()), batch_size=INSERT_BATCH)
    counts.candidates_created = len(created)
    candidate_of = {r.line: new.get(r.line) or existing(r) for r in rows}

    # Existing candidates without a year yet get the one the file gives.
    fill = []
    for row in rows:
        c = candidate_of[row.line]
        if row.line not in new and row.group and not c.study_year and _study_year(row.group):
            c.study_year = _study_year(row.group)
            c.programme = c.programme or row.group[:200]
            fill.append(c)
    if fill:
        Candidate.objects.bulk_update(fill, ["study_year", "programme"], batch_size=1000)

    # 3. Profiles: a snapshot already known is unchanged; a new one is added to the history.
    with_profile = [r for r in rows if r.has_profile]
    counts.without_profile = len(rows) - len(with_profile)
    candidate_ids = [candidate_of[r.line].pk for r in with_profile]
    known: set[tuple[int, str, dt.datetime]] = set()
    has_profile: set[int] = set()
    for chunk in _chunks(candidate_ids):
        for cid, campaign, measured in PositioningProfile.objects.filter(
            candidate_id__in=chunk
        ).values_list("candidate_id", "campaign_id", "measured_at"):
            known.add((cid, campaign, measured))
            has_profile.add(cid)
    to_create = []
    done = 0
    for chunk in _chunks(with_profile):
        for row in chunk:
            cid = candidate_of[row.line].pk
            if (cid, export.campaign_id, row.sent_at) in known:
                counts.unchanged += 1
                continue
            levels = [row.levels[code] for code in row.levels]
            to_create.append(
                PositioningProfile(
                    candidate_id=cid,
                    measured_at=row.sent_at,
                    campaign_id=export.campaign_id,
                    campaign_name=export.campaign_name[:255],
                    source_import=profile_import if profile_import.pk else None,
                    levels=row.levels,
                    pix=row.pix,
                    total_pix=row.total_pix,
                    certifiable_competences=scoring.certifiable_competences(levels),
                    is_certifiable=scoring.is_certifiable(levels),
                    average_level=scoring.average_level(levels),
                    created_at=now,
                )
            )
            if cid in has_profile:
                counts.updated += 1
            else:
                counts.created += 1
            counts.touched.add(cid)
        PositioningProfile.objects.bulk_create(to_create, batch_size=INSERT_BATCH)
        to_create = []
        done += len(chunk)
        progress(done)
    # Candidates created without a profile still need their tier ("no profile yet").
    counts.touched.update(c.pk for c in created if c.pk)
    progress(len(rows))
    return counts


def newest_profile(candidate: Candidate) -> PositioningProfile | None:
    return candidate.profiles.order_by("-measured_at", "-pk").first()
