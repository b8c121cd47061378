"""Who gets what on every URL of the site: the table ``tests/pixcentre/test_access_table.py``
walks, as every role, with a GET.

Kept next to the URL configuration on purpose: whoever adds a URL adds its line here, or the
test fails (``site_urls()`` walks the resolver, namespaces included). Each line says

* which profile of answers the URL gives (``ADMIN_ONLY``, ``OWN_REGISTRATION``…), adjusted with
  ``but(...)`` where one role differs;
* for a URL with arguments, which object of the test world fills each one (the test builds the
  world: ``"student_registration"`` is the student's confirmed seat, and so on), or a literal
  value with ``Lit(...)``;
* optionally a query string (``Url(..., query=...)``), for views that need one to do anything.

Answers: ``200``; ``LOGIN`` (302 to the site's login page, ``?next=`` the asked URL); ``REDIRECT``
(any other 302: the next step, home…); ``403`` (signed in, wrong role); ``404`` (an object the
user may not know exists); ``405`` (POST-only view); ``409`` (the Pix export refuses sessions
with problems); ``ADMIN_LOGIN`` (302 to the back office's own login page).

Third-party groups: allauth's pages are listed one by one (there are few, and they say what a
signed-in person may do with their account); Django's admin (``backoffice/``) gets one rule for
its whole namespace, because every model registered there adds five URLs that all behave the
same: only staff accounts (superusers) get in, everybody else is sent to the admin login.

Roles: ``other_student`` is a student who does not own the object in the URL (the student's
registration, candidate record, convocation…); ``external`` does not own it either, except the
fee and receipt, which are the external candidate's.
"""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = (
    "anonymous",
    "student",
    "other_student",
    "external",
    "invigilator",
    "administrator",
    "referent",
)

LOGIN = "302 → connexion"
REDIRECT = "302 → ailleurs"
ADMIN_LOGIN = "302 → connexion backoffice"


@dataclass(frozen=True)
class Lit:
    """A literal URL argument (not an object of the test world)."""

    value: str


@dataclass(frozen=True)
class Url:
    expect: dict
    args: dict = field(default_factory=dict)
    query: str = ""


def profile(anonymous, student, other_student, external, invigilator, administrator, referent):
    return dict(zip(ROLES, (anonymous, student, other_student, external, invigilator,
                            administrator, referent), strict=True))  # fmt: skip


def but(base: dict, **changes) -> dict:
    """``base`` with some roles answered differently."""
    unknown = set(changes) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {**base, **changes}


def post_only(base: dict) -> dict:
    """The same access rule in front of a POST-only view: who gets in gets 405 on a GET."""
    return {role: 405 if status == 200 else status for role, status in base.items()}


# --- profiles ---------------------------------------------------------------------------------
#                    anonymous student other  external invig. admin referent
PUBLIC = profile(200, 200, 200, 200, 200, 200, 200)
ADMIN_ONLY = profile(LOGIN, 403, 403, 403, 403, 200, 403)
REFERENT_ONLY = profile(LOGIN, 403, 403, 403, 403, 403, 200)
ADMIN_AND_REFERENT = profile(LOGIN, 403, 403, 403, 403, 200, 200)
INVIGILATOR_ONLY = profile(LOGIN, 403, 403, 403, 200, 403, 403)
CANDIDATE_ONLY = profile(LOGIN, 200, 200, 200, 403, 403, 403)  # "my …" pages: each their own
CANDIDATES_AND_ADMIN = profile(LOGIN, 200, 200, 200, 403, 200, 403)
# The student's object: the owner and administrators; another candidate 404 (no hint that it
# exists); roles that never see candidates' objects 403.
OWN_OBJECT = profile(LOGIN, 200, 404, 404, 403, 200, 403)
# The student's candidate record: also the referent (statistics, follow-up).
OWN_CANDIDATE = profile(LOGIN, 200, 404, 404, 403, 200, 200)
# The session the invigilator is assigned to: that invigilator and administrators.
ASSIGNED_SESSION = profile(LOGIN, 403, 403, 403, 200, 200, 403)
# ``@require_POST`` outside the role check: 405 before anything else, for everyone.
POST_ONLY = profile(405, 405, 405, 405, 405, 405, 405)
# allauth pages for a signed-in person (account settings); anonymous go to the login page.
SIGNED_IN = profile(LOGIN, 200, 200, 200, 200, 200, 200)
# allauth pages for signing in or up: a signed-in person is sent on (home).
SIGNED_OUT = profile(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
EVERYONE_REDIRECTED = profile(*[REDIRECT] * 7)
# Off in this configuration, or an object nobody can name (a made-up invitation link).
NOBODY = profile(*[404] * 7)


ACCESS_TABLE: dict[str, Url] = {
    # --- pixcentre ----------------------------------------------------------------------------
    "home": Url(PUBLIC),
    "healthz": Url(PUBLIC),  # monitoring probe: state of database, broker, workers; no data
    "ping": Url(PUBLIC),  # bare "ok" (the load benchmark's ceiling): no database, no data
    "audit_log": Url(ADMIN_ONLY),
    "accessibility": Url(PUBLIC),  # the RGAA accessibility statement, linked from every footer
    "set_language": Url(EVERYONE_REDIRECTED),  # GET: back to the page (or home), changes nothing
    # --- allauth (comptes/) -------------------------------------------------------------------
    "account_login": Url(SIGNED_OUT),
    "account_signup": Url(SIGNED_OUT),
    "account_logout": Url(but(SIGNED_IN, anonymous=REDIRECT)),  # GET asks to confirm; POST logs out
    "account_inactive": Url(PUBLIC),
    "account_reauthenticate": Url(SIGNED_IN),
    "account_email": Url(SIGNED_IN),
    "account_email_verification_sent": Url(PUBLIC),
    "account_change_password": Url(SIGNED_IN),
    # every persona has a password: "set" sends on to "change"
    "account_set_password": Url(profile(LOGIN, *[REDIRECT] * 6)),
    "account_reset_password": Url(PUBLIC),
    "account_reset_password_done": Url(PUBLIC),
    "account_reset_password_from_key_done": Url(PUBLIC),
    # a made-up key: the page says the link is invalid
    "account_reset_password_from_key": Url(
        PUBLIC, {"uidb36": Lit("1"), "key": Lit("cle-inventee")}
    ),
    "account_confirm_email": Url(PUBLIC, {"key": Lit("cle-inventee")}),
    # no login code pending: back to the login page (without ``next``)
    "account_confirm_login_code": Url(but(SIGNED_OUT, anonymous=REDIRECT)),
    # university sign-in (CAS): off without CAS_SERVER_URL, as in the test world
    "cas_ng_login": Url(NOBODY),
    "cas_ng_logout": Url(NOBODY),
    # --- accounts: users and roles (administrators) -------------------------------------------
    "accounts:users": Url(ADMIN_ONLY),
    "accounts:user_invite": Url(ADMIN_ONLY),
    "accounts:user": Url(ADMIN_ONLY, {"pk": "invigilator_user"}),
    # --- competences --------------------------------------------------------------------------
    "competences:referential": Url(PUBLIC),
    # --- candidates ---------------------------------------------------------------------------
    "candidates:list": Url(ADMIN_AND_REFERENT),
    "candidates:export": Url(ADMIN_AND_REFERENT),
    "candidates:recompute_scores": Url(post_only(ADMIN_ONLY)),
    "candidates:me": Url(CANDIDATE_ONLY),
    "candidates:identity": Url(CANDIDATE_ONLY),
    "candidates:my_data": Url(CANDIDATE_ONLY),
    "candidates:deletion": Url(CANDIDATE_ONLY),
    "candidates:detail": Url(ADMIN_AND_REFERENT, {"pk": "student_candidate"}),
    "candidates:profile": Url(OWN_CANDIDATE, {"pk": "student_candidate"}),
    "candidates:edit_identity": Url(ADMIN_ONLY, {"pk": "student_candidate"}),
    "candidates:imports": Url(ADMIN_ONLY),
    "candidates:import_detail": Url(ADMIN_ONLY, {"pk": "profile_import"}),
    "candidates:import_progress": Url(ADMIN_ONLY, {"pk": "profile_import"}),
    "candidates:units": Url(ADMIN_ONLY),
    # linking accounts to records: invitations, disagreements with the university, study year
    "candidates:invitations": Url(ADMIN_ONLY),
    # a made-up token: 404 for everyone (a real link is the invitee's, whoever follows it)
    "candidates:invitation": Url(NOBODY, {"token": Lit("jeton-invente")}),
    "candidates:invite": Url(post_only(ADMIN_ONLY), {"pk": "student_candidate"}),
    "candidates:study_year": Url(ADMIN_ONLY, {"pk": "student_candidate"}),
    "candidates:discrepancies": Url(ADMIN_ONLY),
    "candidates:discrepancy_check": Url(post_only(ADMIN_ONLY), {"pk": Lit("1")}),
    # --- sessions_app: administrators ---------------------------------------------------------
    "sessions_app:sessions": Url(ADMIN_ONLY),
    "sessions_app:calendar": Url(ADMIN_ONLY),
    "sessions_app:session_create": Url(ADMIN_ONLY),
    "sessions_app:session_series": Url(ADMIN_ONLY),
    "sessions_app:session": Url(ADMIN_ONLY, {"pk": "session"}),
    "sessions_app:candidate_merge": Url(ADMIN_ONLY, {"pk": "student_candidate"}),
    "sessions_app:session_reschedule": Url(ADMIN_ONLY, {"pk": "session"}),
    "sessions_app:session_edit": Url(ADMIN_ONLY, {"pk": "session"}),
    # without ?vers= (the session with free seats) an administrator is sent back home
    "sessions_app:waitlist_move": Url(but(ADMIN_ONLY, administrator=REDIRECT), {"pk": "session"}),
    "sessions_app:session_status": Url(post_only(ADMIN_ONLY), {"pk": "session"}),
    "sessions_app:session_pix": Url(post_only(ADMIN_ONLY), {"pk": "session"}),
    "sessions_app:session_override": Url(post_only(ADMIN_ONLY), {"pk": "session"}),
    "sessions_app:rooms": Url(ADMIN_ONLY),
    "sessions_app:room_edit": Url(ADMIN_ONLY, {"pk": "room"}),
    "sessions_app:campaigns": Url(ADMIN_ONLY),
    "sessions_app:campaign_create": Url(ADMIN_ONLY),
    "sessions_app:campaign": Url(ADMIN_ONLY, {"pk": "campaign"}),
    "sessions_app:campaign_edit": Url(ADMIN_ONLY, {"pk": "campaign"}),
    "sessions_app:campaign_allocate": Url(post_only(ADMIN_ONLY), {"pk": "campaign"}),
    # the Pix Certif import file of the session (409 when a candidate's identity is incomplete)
    "sessions_app:export": Url(ADMIN_ONLY, query="session={session}&format=csv"),
    "sessions_app:habilitations": Url(ADMIN_ONLY),
    "sessions_app:no_show": Url(post_only(ADMIN_ONLY), {"pk": "student_registration"}),
    "sessions_app:prepaid": Url(post_only(ADMIN_ONLY), {"pk": "student_registration"}),
    # --- sessions_app: candidates -------------------------------------------------------------
    "sessions_app:cancel": Url(OWN_OBJECT, {"pk": "student_registration"}),
    # POST-only behind the role check: the method is refused before the object is looked up
    "sessions_app:complementary": Url(
        post_only(CANDIDATES_AND_ADMIN), {"pk": "student_registration"}
    ),
    "sessions_app:offer": Url(CANDIDATE_ONLY),
    # an open campaign of students' sessions: an external candidate sees it with no session
    # to choose (the service refuses an application anyway)
    # An external candidate has no session to choose in a students' campaign: sent to the offer.
    "sessions_app:apply": Url(but(CANDIDATE_ONLY, external=REDIRECT), {"pk": "campaign"}),
    "sessions_app:register": Url(post_only(CANDIDATE_ONLY), {"pk": "session"}),
    "sessions_app:mine": Url(CANDIDATE_ONLY),
    # --- convocations -------------------------------------------------------------------------
    "convocations:index": Url(ADMIN_ONLY),
    "convocations:session": Url(ADMIN_ONLY, {"pk": "session"}),
    "convocations:progress": Url(ADMIN_ONLY, {"pk": "session"}),
    "convocations:resend": Url(POST_ONLY, {"pk": "student_convocation"}),
    "convocations:set_address": Url(POST_ONLY, {"pk": "student_convocation"}),
    "convocations:printable": Url(ADMIN_ONLY, {"pk": "session"}),
    "convocations:mine": Url(CANDIDATE_ONLY),
    "convocations:pdf": Url(OWN_OBJECT, {"pk": "student_registration"}),
    "convocations:ics": Url(OWN_OBJECT, {"pk": "student_registration"}),
    # --- results ------------------------------------------------------------------------------
    "results:mine": Url(CANDIDATE_ONLY),
    "results:upload": Url(ADMIN_ONLY),
    "results:statistics": Url(ADMIN_AND_REFERENT),
    "results:statistics_csv": Url(ADMIN_AND_REFERENT),
    # --- invigilation -------------------------------------------------------------------------
    "invigilation:availability": Url(INVIGILATOR_ONLY),
    "invigilation:availability_delete": Url(POST_ONLY, {"pk": "invigilator_period"}),
    "invigilation:schedule": Url(INVIGILATOR_ONLY),
    "invigilation:session_day": Url(ASSIGNED_SESSION, {"pk": "session"}),
    "invigilation:mark": Url(
        POST_ONLY, {"pk": "session", "registration_pk": "student_registration"}
    ),
    "invigilation:mark_all": Url(POST_ONLY, {"pk": "session"}),
    "invigilation:mark_code": Url(POST_ONLY, {"pk": "session"}),
    # The address in a convocation's QR code: the session's invigilators and administrators.
    "invigilation:presence": Url(ASSIGNED_SESSION, {"token": "student_presence_token"}),
    "invigilation:incident": Url(ASSIGNED_SESSION, {"pk": "session"}),
    "invigilation:sessions": Url(ADMIN_ONLY),
    "invigilation:assign": Url(ADMIN_ONLY, {"pk": "session"}),
    "invigilation:unassign": Url(POST_ONLY, {"pk": "session", "assignment_pk": "assignment"}),
    "invigilation:finalise": Url(ADMIN_ONLY, {"pk": "session"}),
    "invigilation:attendance_sheet": Url(ADMIN_ONLY, {"pk": "session"}),
    "invigilation:fraud_report": Url(ADMIN_ONLY, {"pk": "session", "incident_pk": "incident"}),
    # --- billing ------------------------------------------------------------------------------
    "billing:parameters": Url(but(REFERENT_ONLY, referent=REDIRECT)),  # → the current year's
    "billing:year_parameters": Url(REFERENT_ONLY, {"label": "year_label"}),
    "billing:reopen_parameters": Url(post_only(REFERENT_ONLY), {"label": "year_label"}),
    "billing:projection": Url(REFERENT_ONLY),
    "billing:dashboard": Url(REFERENT_ONLY),
    "billing:year_report": Url(REFERENT_ONLY, {"label": "year_label", "fmt": Lit("csv")}),
    "billing:my_fees": Url(CANDIDATE_ONLY),
    # an external's booking page (fee, how to pay, confirm); students have nothing to book
    # there (404) and the external of the test world has booked this session already
    "billing:book": Url(profile(LOGIN, 404, 404, REDIRECT, 403, 403, 403), {"pk": "session"}),
    # the external candidate's receipt: theirs and administrators'
    "billing:receipt": Url(
        profile(LOGIN, 404, 404, 200, 403, 200, 403), {"pk": "external_receipt"}
    ),
    "billing:fees": Url(ADMIN_ONLY),
    "billing:fee_action": Url(ADMIN_ONLY, {"pk": "external_fee", "action": Lit("paiement")}),
    "billing:gip_statement": Url(ADMIN_AND_REFERENT),
    # reconciliation with Pix: enrolled, exported, present, results, fees side by side
    "billing:reconciliation": Url(ADMIN_AND_REFERENT),
    "billing:reconciliation_year": Url(ADMIN_AND_REFERENT, {"label": "year_label"}),
    "billing:reconciliation_session": Url(ADMIN_AND_REFERENT, {"pk": "session"}),
}


# Cases where the site does not (yet) answer what the table says it should: (URL name, role,
# why). The test reports each as an expected failure (xfail) until it is fixed, then asks for
# the line to go.
KNOWN_GAPS: list[tuple[str, str, str]] = []


# --- third-party groups: one rule each --------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Every URL of a namespace answers the same way (plus named exceptions)."""

    namespace: str
    prefix: str  # where it is mounted: its unnamed patterns belong to it too
    expect: dict
    why: str
    exceptions: dict = field(default_factory=dict)
    # a value for each kind of URL argument; the rule answers before any object is looked up
    arg_values: dict = field(default_factory=dict)


GROUPS = (
    Group(
        namespace="admin",
        prefix="backoffice/",
        expect=profile(*[ADMIN_LOGIN] * 7),
        why=(
            "Django admin, a back door for superusers (is_staff): no persona is staff, so every "
            "page sends them to the admin's login page before looking at anything."
        ),
        exceptions={
            # sent to the site's sign-in (allauth's rate limits); signed in but not staff: 403
            "admin:login": Url(profile(REDIRECT, 403, 403, 403, 403, 403, 403)),
            # the non-staff are sent to the admin index (and from there to its login page)
            "admin:logout": Url(EVERYONE_REDIRECTED),
        },
        arg_values={"app_label": "candidates", "object_id": "1", "content_type_id": "1"},
    ),
)


def group_of(name: str) -> Group | None:
    namespace = name.rpartition(":")[0]
    return next((g for g in GROUPS if namespace == g.namespace), None)


# --- the site's URLs --------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteUrl:
    name: str | None  # "namespace:name", None for an unnamed pattern
    route: str  # the whole route, for messages
    params: tuple[str, ...]


def site_urls(resolver=None, namespaces=(), prefix="") -> list[SiteUrl]:
    """Every pattern of the URL configuration, walking includes and namespaces."""
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            found += site_urls(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            params = tuple(pattern.pattern.regex.groupindex)
            found.append(SiteUrl(name, route, params))
    return found


def in_group(url: SiteUrl) -> Group | None:
    """The third-party group of a pattern (named or not), by namespace or by route prefix."""
    if url.name:
        return group_of(url.name)
    return next((g for g in GROUPS if url.route.startswith(g.prefix)), None)


def expectation(url: SiteUrl) -> Url | None:
    """The table's line for a named URL: its own, or its group's rule; None if it has none."""
    if url.name in ACCESS_TABLE:
        return ACCESS_TABLE[url.name]
    group = group_of(url.name) if url.name else None
    if group is None:
        return None
    if url.name in group.exceptions:
        return group.exceptions[url.name]
    return Url(group.expect, {p: Lit(group.arg_values.get(p, "1")) for p in url.params})
