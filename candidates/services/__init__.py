"""Candidate workflows, one module per domain noun: profile imports (``profiles``), scores and
priority (``scores``), preparation units (``units``), identity and personal data
(``personal_data``). Linking accounts to records is a package of its own, used as
``services.linking`` (university sign-in, invitations, rosters, disagreements).

Public functions take keyword-only ``acting_user`` and ``now`` and run in a transaction. They
raise :class:`CandidateError` with a French message a person understands. This package
re-exports them (``services.import_profiles``); its modules import only their siblings.
"""

from .common import (
    CHUNK,
    CandidateError,
)
from .personal_data import (
    ANONYMOUS,
    IDENTITY_FIELDS,
    personal_data,
    purge_candidates,
    request_deletion,
    update_identity,
)
from .profiles import (
    claim_profile_import,
    import_profiles,
    import_progress,
    newest_profile,
    progress_key,
    run_stored_profile_import,
    start_profile_import,
)
from .scores import (
    SCORE_FIELDS,
    compute_scores,
    max_score,
    request_scores,
)
from .units import (
    UnitImportResult,
    import_unit_enrolments,
)

__all__ = [
    "ANONYMOUS",
    "CHUNK",
    "CandidateError",
    "IDENTITY_FIELDS",
    "SCORE_FIELDS",
    "UnitImportResult",
    "claim_profile_import",
    "compute_scores",
    "import_profiles",
    "import_progress",
    "import_unit_enrolments",
    "max_score",
    "newest_profile",
    "personal_data",
    "progress_key",
    "purge_candidates",
    "request_deletion",
    "request_scores",
    "run_stored_profile_import",
    "start_profile_import",
    "update_identity",
]
