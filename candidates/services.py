"""Candidate workflows: profile imports, scores and priority, preparation units, personal data.

Public functions take keyword-only ``acting_user`` and ``now`` and run in a transaction. They
raise :class:`CandidateError` with a French message a person understands.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from competences import scoring
from outbox.dispatch import enqueue

from . import pix_files, priority, unit_files
from .models import (
    Candidate,
    CandidateKind,
    ImportStatus,
    PositioningProfile,
    PreparationUnit,
    ProfileImport,
    StudyYear,
    UnitEnrolment,
)

logger = logging.getLogger(__name__)

CHUNK = 2000
# Rows per INSERT: Django compiles a wide statement faster in several small ones (measured:
# 10,000 candidates take 3.5 s at 200 per statement, 4.8 s at 1,000).
INSERT_BATCH = 250
ANONYMOUS = "ANONYME"


class CandidateError(Exception):
    """A workflow refused; the message is for the person who asked."""


def _now(now):
    return now or timezone.now()


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
    from .tasks import run_profile_import

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
                from .tasks import compute_scores_task

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


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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


# --- Scores and priority -------------------------------------------------------------------------


SCORE_FIELDS = [
    "total_pix",
    "is_certifiable",
    "average_level",
    "priority_tier",
    "priority_reason",
    "scores_computed_at",
]


def compute_scores(candidate_ids: Iterable[int] | None = None, *, now=None) -> int:
    """Recompute total pix, certifiable, average level and priority tier from the newest
    profile and the completed preparation units. ``None`` = every candidate. Idempotent."""
    now = _now(now)
    qs = Candidate.objects.filter(anonymised_at__isnull=True).only(
        "pk", "kind", "study_year", *SCORE_FIELDS
    )
    if candidate_ids is None:
        chunks = [list(qs.values_list("pk", flat=True))]
    else:
        chunks = [list(candidate_ids)]
    updated = 0
    for ids in chunks:
        for chunk in _chunks(ids):
            with transaction.atomic():
                updated += _compute_chunk(qs.filter(pk__in=chunk), chunk, now)
    return updated


def _compute_chunk(qs, ids, now) -> int:
    newest: dict[int, tuple] = {}
    for row in (
        PositioningProfile.objects.filter(candidate_id__in=ids)
        .order_by("candidate_id", "-measured_at", "-pk")
        .values_list("candidate_id", "total_pix", "is_certifiable", "average_level")
    ):
        newest.setdefault(row[0], row[1:])
    completed: dict[int, set[str]] = defaultdict(set)
    for cid, code, done, count in UnitEnrolment.objects.filter(candidate_id__in=ids).values_list(
        "candidate_id", "unit__code", "courses_completed", "unit__course_count"
    ):
        if done >= count:
            completed[cid].add(code)
    changed = []
    reasons: dict[tuple, tuple[int, str]] = {}  # few distinct inputs: word each reason once
    for c in qs:
        total, certifiable, average = newest.get(c.pk, (None, False, None))
        units = frozenset(completed.get(c.pk, ()))
        key = (c.kind, c.study_year, average, units)
        if key not in reasons:
            reasons[key] = priority.priority(
                kind=c.kind, study_year=c.study_year, average_level=average, completed_units=units
            )
        tier, reason = reasons[key]
        c.total_pix, c.is_certifiable, c.average_level = total, certifiable, average
        c.priority_tier, c.priority_reason, c.scores_computed_at = tier, reason, now
        changed.append(c)
    bulk_set(Candidate, changed, SCORE_FIELDS)
    return len(changed)


def bulk_set(model, objs: list, field_names: list[str], batch_size: int = 500) -> None:
    """``bulk_update`` for many rows with different values, in one ``UPDATE … FROM (VALUES …)``
    per batch. Django's ``bulk_update`` builds a CASE per field and row, which takes minutes
    for 10,000 candidates; this takes a fraction of a second (PostgreSQL, SQLite ≥ 3.33)."""
    from django.db import connection

    if not objs:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    cast = connection.vendor == "postgresql"  # SQLite: values are already in storage form
    columns = ", ".join(["id", *(f"v{i}" for i in range(len(fields)))])
    assignments = ", ".join(
        f"{qn(f.column)} = "
        + (f"CAST(v.v{i} AS {f.cast_db_type(connection)})" if cast else f"v.v{i}")
        for i, f in enumerate(fields)
    )
    for batch in _chunks(objs, batch_size):
        rows, params = [], []
        for obj in batch:
            rows.append("(" + ", ".join(["%s"] * (len(fields) + 1)) + ")")
            params.append(obj.pk)
            params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
        sql = (
            f"WITH v({columns}) AS (VALUES {', '.join(rows)}) "  # noqa: S608 - names are quoted
            f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def request_scores(candidate_ids: list[int] | None = None) -> None:
    """On demand: enqueue the computation after commit."""
    from .tasks import compute_scores_task

    enqueue(compute_scores_task, candidate_ids)


def newest_profile(candidate: Candidate) -> PositioningProfile | None:
    return candidate.profiles.order_by("-measured_at", "-pk").first()


# --- Preparation units ---------------------------------------------------------------------------


@dataclass
class UnitImportResult:
    problems: list = field(default_factory=list)
    message: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.message


def import_unit_enrolments(
    data: bytes, *, academic_year, semester: int, acting_user=None, now=None, quota=None
) -> UnitImportResult:
    """Import enrolments and completed courses (student number; unit; courses completed) for
    one semester, all or nothing. Units are created on first use with the default quota."""
    now = _now(now)
    result = UnitImportResult()
    try:
        rows, problems = unit_files.parse_unit_enrolments(data)
    except unit_files.NotAUnitFile as exc:
        result.message = str(exc)
        return result
    numbers = sorted({r.student_number for r in rows})
    candidates = {}
    for chunk in _chunks(numbers):
        for c in Candidate.objects.filter(external_id__in=chunk).only("pk", "external_id"):
            candidates[c.external_id] = c
    for r in rows:
        if r.student_number not in candidates:
            problems.append(
                pix_files.Problem(
                    r.line,
                    unit_files.COL_NUMBER,
                    r.student_number,
                    _("Aucun candidat n’a ce numéro étudiant : importez d’abord les profils."),
                )
            )
    with transaction.atomic():
        units = {}
        for code in ("pix1", "pix2"):
            units[code], _created = PreparationUnit.objects.get_or_create(
                code=code,
                academic_year=academic_year,
                semester=semester,
                defaults={"quota": quota or 500},
            )
        existing = {
            (e.unit_id, e.candidate_id): e
            for e in UnitEnrolment.objects.select_for_update().filter(unit__in=units.values())
        }
        enrolled = defaultdict(int)
        for unit_id, _cid in existing:
            enrolled[unit_id] += 1
        to_create, to_update = [], []
        for r in rows:
            c = candidates.get(r.student_number)
            if c is None:
                continue
            unit = units[r.unit]
            e = existing.get((unit.pk, c.pk))
            if e is None:
                enrolled[unit.pk] += 1
                if enrolled[unit.pk] == unit.quota + 1:
                    problems.append(
                        pix_files.Problem(
                            r.line,
                            unit_files.COL_UNIT,
                            r.unit_label,
                            _("Quota de l’unité atteint (%(quota)s places).")
                            % {"quota": unit.quota},
                        )
                    )
                to_create.append(
                    UnitEnrolment(
                        unit=unit, candidate=c, courses_completed=r.courses, updated_at=now
                    )
                )
            elif e.courses_completed != r.courses:
                e.courses_completed, e.updated_at = r.courses, now
                to_update.append(e)
            else:
                result.unchanged += 1
        if problems:
            result.problems = sorted(problems, key=lambda p: p.line)
            transaction.set_rollback(True)
            return result
        UnitEnrolment.objects.bulk_create(to_create, batch_size=1000)
        UnitEnrolment.objects.bulk_update(to_update, ["courses_completed", "updated_at"])
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            audit.record(
                "units_imported",
                actor=acting_user,
                after={"created": result.created, "updated": result.updated, "semester": semester},
                summary=str(academic_year),
                now=now,
            )
        touched = sorted({e.candidate_id for e in to_create + to_update})
        if touched:
            from .tasks import compute_scores_task

            enqueue(compute_scores_task, touched)
    return result


# --- Identity and personal data ------------------------------------------------------------------


IDENTITY_FIELDS = [
    "birth_name",
    "first_name",
    "sex",
    "birth_date",
    "birth_country",
    "birth_insee_code",
    "birth_postal_code",
    "birth_city",
    "convocation_email",
    "accessibility_needs",
]


def update_identity(candidate: Candidate, values: dict, *, acting_user, now=None) -> Candidate:
    """Save the identity a candidate typed. A person who signs up on their own (no record yet:
    ``candidate.pk`` is None) becomes an external candidate."""
    is_admin = getattr(acting_user, "is_administrator", False)
    if acting_user is None or not (
        is_admin or candidate.user_id == acting_user.pk or candidate.pk is None
    ):
        raise CandidateError(_("Vous ne pouvez modifier que votre propre identité."))
    now = _now(now)
    with transaction.atomic():
        before = {name: str(getattr(candidate, name) or "") for name in IDENTITY_FIELDS}
        for name in IDENTITY_FIELDS:
            if name in values:
                setattr(candidate, name, values[name])
        candidate.last_activity_at = now
        if candidate.pk is None:
            candidate.user = acting_user
            candidate.kind = CandidateKind.EXTERNAL
            candidate.save()
        else:
            candidate.save(update_fields=[*IDENTITY_FIELDS, "last_activity_at"])
        after = {name: str(getattr(candidate, name) or "") for name in IDENTITY_FIELDS}
        changed = [name for name in IDENTITY_FIELDS if before[name] != after[name]]
        audit.record(
            "identity_updated",
            actor=acting_user,
            obj=candidate,
            candidate_id=candidate.pk,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
            now=now,
        )
    return candidate


def request_deletion(candidate: Candidate, *, acting_user, now=None) -> Candidate:
    if acting_user is None or candidate.user_id != acting_user.pk:
        raise CandidateError(_("Seul le candidat peut demander la suppression de ses données."))
    now = _now(now)
    with transaction.atomic():
        requested = Candidate.objects.filter(
            pk=candidate.pk, deletion_requested_at__isnull=True
        ).update(deletion_requested_at=now, last_activity_at=now)
        if requested:
            audit.record(
                "deletion_requested",
                actor=acting_user,
                obj=candidate,
                candidate_id=candidate.pk,
                now=now,
            )
    candidate.refresh_from_db()
    return candidate


def _iso(value):
    return value.isoformat() if value is not None else None


def personal_data(candidate: Candidate) -> dict:
    """Everything pixcentre holds about a candidate (this app's part), JSON-ready."""
    c = candidate
    return {
        "candidat": {
            "type": c.kind,
            "nom_de_naissance": c.birth_name,
            "prenom": c.first_name,
            "identifiant_externe": c.external_id,
            "sexe": c.sex,
            "date_de_naissance": _iso(c.birth_date),
            "pays_de_naissance": c.birth_country,
            "code_insee_naissance": c.birth_insee_code,
            "code_postal_naissance": c.birth_postal_code,
            "commune_naissance": c.birth_city,
            "email_de_convocation": c.convocation_email,
            "formation": c.programme,
            "annee_d_etudes": c.study_year,
            "composante": c.faculty,
            "temps_majore_pourcent": c.extra_time_percent,
            "besoins_d_amenagement": c.accessibility_needs,
            "compte": c.user.email if c.user_id else None,
            "cree_le": _iso(c.created_at),
            "derniere_activite": _iso(c.last_activity_at),
            "suppression_demandee_le": _iso(c.deletion_requested_at),
        },
        "scores": {
            "pix_total": c.total_pix,
            "certifiable": c.is_certifiable,
            "niveau_moyen": str(c.average_level) if c.average_level is not None else None,
            "priorite": c.priority_tier,
            "raison_de_la_priorite": c.priority_reason,
            "calcules_le": _iso(c.scores_computed_at),
        },
        "profils_de_positionnement": [
            {
                "envoye_le": _iso(p.measured_at),
                "campagne": p.campaign_name,
                "id_campagne": p.campaign_id,
                "niveaux": p.levels,
                "pix": p.pix,
                "pix_total": p.total_pix,
                "certifiable": p.is_certifiable,
            }
            for p in c.profiles.order_by("-measured_at")
        ],
        "unites_de_preparation": [
            {
                "unite": e.unit.get_code_display(),
                "annee": e.unit.academic_year.label,
                "semestre": e.unit.semester,
                "parcours_valides": e.courses_completed,
            }
            for e in c.unit_enrolments.select_related("unit__academic_year")
        ],
    }


def purge_candidates(*, before: dt.datetime, now=None, include_deletion_requests=False) -> int:
    """Anonymise candidates whose last activity is older than ``before`` (and, if asked, those
    who requested deletion). Statistics survive: kind, year of study, programme, profiles'
    levels and tiers stay; names, identity, contact and account go."""
    now = _now(now)
    condition = Q(last_activity_at__lt=before)
    if include_deletion_requests:
        condition |= Q(deletion_requested_at__isnull=False)
    from accounts.models import User

    count = 0
    with transaction.atomic():
        for c in Candidate.objects.select_for_update().filter(
            condition, anonymised_at__isnull=True
        ):
            user_id = c.user_id
            c.birth_name, c.first_name = ANONYMOUS, ""
            c.external_id = ""
            c.sex, c.birth_date = "", None
            c.birth_country, c.birth_insee_code, c.birth_postal_code, c.birth_city = "", "", "", ""
            c.convocation_email, c.accessibility_needs, c.extra_time_percent = "", "", None
            c.user = None
            c.anonymised_at = now
            c.save()
            audit.record("candidate_anonymised", obj=c, candidate_id=c.pk, now=now)
            if user_id:
                user = User.objects.get(pk=user_id)
                if user.is_candidate:
                    user.email = f"anonyme-{user.pk}@invalid.pixcentre"
                    user.first_name = user.last_name = ""
                    user.is_active = False
                    user.set_unusable_password()
                    user.save()
                    user.emailaddress_set.all().delete()
            count += 1
        # Uploaded exports hold every participant's name: drop those older than the limit
        # (the import's counts and report stay in the history).
        for old_import in ProfileImport.objects.filter(created_at__lt=before).exclude(file=""):
            old_import.file.delete(save=False)
            old_import.save(update_fields=["file"])
    return count


def max_score() -> int:
    return scoring.max_score(settings.PIX_MAX_LEVEL)
