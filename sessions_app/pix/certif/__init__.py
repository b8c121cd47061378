"""Files that enrol candidates in Pix Certif (formats README §2). Pure: no database, no models.

- ``export_problems`` applies every rule Pix applies to candidates (README, "Rules Pix applies
  to candidates") and reports, never fixes. Identity rules come from
  ``candidates.pix_identity.identity_problems`` so that the identity form and this export
  agree.
- ``mass_import_csv`` writes the "Créer/éditer plusieurs sessions" CSV (§2a).
- ``candidate_list_ods`` writes the "Liste des candidats" ODS of one session (§2b).

Formula injection. A CSV opened in a spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab / carriage return) as a formula. The usual guard, prefixing ``'``,
would change the value Pix imports (a birth name ``'=X`` is not ``=X``), so the writers never
alter a value: ``export_problems`` refuses such values with a clear message
(``FORMULA_PREFIXES``), and ``mass_import_csv`` raises ``UnsafeValueError`` rather than write
one, in case a caller skipped ``export_problems``. The ODS writes every text as a string cell
(``office:value-type="string"``), which a spreadsheet never evaluates, so it needs no guard;
``export_problems`` still refuses the values because the same candidate goes into the CSV and
into Pix.

Problems are ``(index, field, message)``: ``index`` is the candidate's position in the list
given, ``field`` the ``CertifCandidate`` attribute. Problems with the session itself (site,
room, invigilators… when no pre-existing session number is given) use ``SESSION_INDEX`` (-1)
and a ``CertifSession`` attribute as field.
"""

from .candidate_list import (
    ODS_HEADER_ROW,
    ODS_HEADERS,
    ODS_SHEET_NAME,
    candidate_list_ods,
    ods_complementary_header,
)
from .mass_import import MASS_IMPORT_HEADERS, mass_import_complementary_header, mass_import_csv
from .problems import candidate_problems, export_problems, file_problems, session_problems
from .records import (
    COMPLEMENTARY_LABELS,
    FORMULA_PREFIXES,
    PRICING_FREE,
    PRICING_PAID,
    PRICING_PREPAID,
    PRICINGS,
    SESSION_INDEX,
    CertifCandidate,
    CertifSession,
    UnsafeValueError,
    insee_cell,
)

__all__ = [
    "COMPLEMENTARY_LABELS",
    "FORMULA_PREFIXES",
    "MASS_IMPORT_HEADERS",
    "ODS_HEADERS",
    "ODS_HEADER_ROW",
    "ODS_SHEET_NAME",
    "PRICINGS",
    "PRICING_FREE",
    "PRICING_PAID",
    "PRICING_PREPAID",
    "SESSION_INDEX",
    "CertifCandidate",
    "CertifSession",
    "UnsafeValueError",
    "candidate_list_ods",
    "candidate_problems",
    "export_problems",
    "file_problems",
    "insee_cell",
    "mass_import_complementary_header",
    "mass_import_csv",
    "ods_complementary_header",
    "session_problems",
]
