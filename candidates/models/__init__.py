"""Models of candidates, one module per domain noun; Django and the migrations see them here
(``candidates.models.Candidate``), as before the split.
"""

from .candidates import (
    SEARCH_FIELDS,
    SEARCH_SOURCE_FIELDS,
    Candidate,
    CandidateKind,
    CandidateQuerySet,
    Sex,
    StudyYear,
    StudyYearSource,
    search_columns,
    search_values,
)
from .linking import DiscrepancyField, IdentityDiscrepancy, Invitation
from .profiles import ImportStatus, PositioningProfile, ProfileImport
from .units import PreparationUnit, Semester, UnitCode, UnitEnrolment
from .years import AcademicYear

__all__ = [
    "SEARCH_FIELDS",
    "SEARCH_SOURCE_FIELDS",
    "AcademicYear",
    "Candidate",
    "CandidateKind",
    "CandidateQuerySet",
    "DiscrepancyField",
    "IdentityDiscrepancy",
    "ImportStatus",
    "Invitation",
    "PositioningProfile",
    "PreparationUnit",
    "ProfileImport",
    "Semester",
    "Sex",
    "StudyYear",
    "StudyYearSource",
    "UnitCode",
    "UnitEnrolment",
    "search_columns",
    "search_values",
]
