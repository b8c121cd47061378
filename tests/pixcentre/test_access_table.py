"""Access control proven, not assumed (issue 8): every URL of the site, as every role, answers
what ``pixcentre/access_table.py`` says; a URL without a line there fails; every POST form of
the site's pages carries a CSRF token.

One small world per test (the personas, a year, a session with the student's seat, an external
booking with its fee, payment and receipt, an invigilator's assignment, imports, a
convocation…); one test per role walks every URL with a GET.
"""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from pixcentre.access_table import (
    ACCESS_TABLE,
    ADMIN_LOGIN,
    KNOWN_GAPS,
    LOGIN,
    REDIRECT,
    ROLES,
    Lit,
    SiteUrl,
    expectation,
    in_group,
    site_urls,
)

FAKE_PDF = b"%PDF-1.4\n% fichier de test\n%%EOF\n"


# --- the world --------------------------------------------------------------------------------


def _complete_identity(candidate):
    candidate.sex = "F"
    candidate.birth_date = dt.date(2003, 5, 17)
    candidate.birth_country = "France"
    candidate.birth_insee_code = "84007"
    candidate.is_certifiable = True
    candidate.priority_tier = 1
    candidate.save()
    return candidate


def build_world(*, student, other_student, external, invigilator, administrator) -> dict:
    """The objects the table's URL arguments name, as {name: value for the URL}."""
    from billing import services as billing_services
    from billing.models import PaymentMethod
    from candidates.models import AcademicYear, ProfileImport
    from sessions_app import attendance_codes
    from sessions_app import services as session_services
    from sessions_app.models import (
        Assignment,
        AttendanceSheet,
        Audience,
        Campaign,
        CertificationResult,
        Convocation,
        ConvocationStatus,
        Incident,
        InvigilatorPeriod,
        PeriodKind,
        ResultsImport,
        ResultStatus,
        Room,
        Session,
        SessionStatus,
    )

    now = timezone.now()
    today = timezone.localdate()
    day = today + dt.timedelta(days=30)  # the sessions' day: open, ahead of cancellation limits
    first_year = day.year if day.month >= 9 else day.year - 1
    year, _ = AcademicYear.objects.get_or_create(
        label=f"{first_year}-{first_year + 1}",
        defaults={
            "start_date": dt.date(first_year, 9, 1),
            "end_date": dt.date(first_year + 1, 8, 31),
            "student_quota": 400,
        },
    )
    room = Room.objects.create(site="Centre-ville", name="Salle S1", capacity=24)
    session = Session.objects.create(
        academic_year=year,
        date=day,
        start_time=dt.time(9, 0),
        room=room,
        capacity=20,
        audience=Audience.MIXED,
        status=SessionStatus.OPEN,
    )
    for user in (student, other_student, external):
        _complete_identity(user.candidate)

    # The student's seat and the external candidate's booking (its fee is due on booking).
    student_registration = session_services.register_first_come(
        session, student.candidate, acting_user=student
    )
    external_registration = session_services.book_external(
        session, external.candidate, acting_user=external
    )
    fee = external_registration.fee
    payment = billing_services.record_payment(
        fee, acting_user=administrator, paid_on=today, method=PaymentMethod.values[0]
    )
    receipt = payment.receipt
    receipt.file.save("recu-test.pdf", ContentFile(FAKE_PDF))

    # A campaign of students' sessions, open now.
    campaign_session = Session.objects.create(
        academic_year=year,
        date=day,
        start_time=dt.time(14, 0),
        room=room,
        capacity=20,
        audience=Audience.STUDENTS,
        status=SessionStatus.OPEN,
    )
    campaign = Campaign.objects.create(
        academic_year=year,
        name="Campagne de test",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
    )
    campaign.sessions.add(campaign_session)

    # Convocation of the student's seat, stored.
    convocation = Convocation.objects.create(
        registration=student_registration,
        ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        status=ConvocationStatus.GENERATED,
        generated_at=now,
    )
    convocation.file.save("convocation.pdf", ContentFile(FAKE_PDF))

    # Invigilation: availability, assignment, an incident with its fraud report, the sheet.
    period = InvigilatorPeriod.objects.create(
        invigilator=invigilator,
        kind=PeriodKind.AVAILABLE,
        starts_at=now,
        ends_at=now + dt.timedelta(days=90),
    )
    assignment = Assignment.objects.create(
        session=session, invigilator=invigilator, minutes=120, created_by=administrator
    )
    incident = Incident.objects.create(
        session=session,
        registration=student_registration,
        code="C6",
        description="Suspicion de fraude",
        reported_by=invigilator,
        reported_at=now,
    )
    incident.fraud_report.save("rapport.pdf", ContentFile(FAKE_PDF))
    sheet = AttendanceSheet(session=session, generated_at=now, pages=1)
    sheet.file.save("emargement.pdf", ContentFile(FAKE_PDF))

    # Imports: a profile import, a results import with the student's result.
    profile_import = ProfileImport.objects.create(
        file_name="Resultats-Collecte profils.csv", uploaded_by=administrator
    )
    results_import = ResultsImport.objects.create(
        uploaded_by=administrator, created_at=now, file_name="resultats.csv", accepted=True
    )
    CertificationResult.objects.create(
        registration=student_registration,
        certification_number="C-TEST-0001",
        status=ResultStatus.VALIDATED,
        score=250,
        source_import=results_import,
        imported_at=now,
    )
    return {
        "year_label": year.label,
        "session": session.pk,
        "room": room.pk,
        "campaign": campaign.pk,
        "student_candidate": student.candidate.pk,
        "student_registration": student_registration.pk,
        "student_convocation": convocation.pk,
        "student_presence_token": attendance_codes.token_for(student_registration.pk),
        "external_fee": fee.pk,
        "external_receipt": receipt.pk,
        "invigilator_period": period.pk,
        "assignment": assignment.pk,
        "incident": incident.pk,
        "profile_import": profile_import.pk,
        "invigilator_user": invigilator.pk,
    }


@pytest.fixture
def users(student, other_student, external, invigilator, administrator, referent):
    return {
        "anonymous": None,
        "student": student,
        "other_student": other_student,
        "external": external,
        "invigilator": invigilator,
        "administrator": administrator,
        "referent": referent,
    }


@pytest.fixture(autouse=True)
def _healthy(monkeypatch):
    """/healthz answers 503 when Redis is away: its access is what is tested here, not Redis
    (tests/pixcentre/test_health.py tests the report); and the walk does not wait on pings."""
    monkeypatch.setattr("pixcentre.health.report", lambda: {"status": "ok"})


@pytest.fixture
def world(users):
    kept = {k: v for k, v in users.items() if k not in ("anonymous", "referent")}
    return build_world(**kept)


# --- walking ----------------------------------------------------------------------------------


def named_urls():
    return [u for u in site_urls() if u.name]


def address(url, line, world) -> str:
    kwargs = {}
    for param, value in line.args.items():
        kwargs[param] = value.value if isinstance(value, Lit) else world[value]
    path = reverse(url.name, kwargs=kwargs)
    return f"{path}?{line.query.format(**world)}" if line.query else path


def answer(response, path) -> str | int:
    """The response in the table's words: LOGIN is the login page with ``next`` = ``path``."""
    if response.status_code != 302:
        return response.status_code
    location = urlsplit(response["Location"])
    next_url = parse_qs(location.query).get("next", [""])[0]
    if location.path == resolve_url(settings.LOGIN_URL) and next_url == path:
        return LOGIN
    if location.path == reverse("admin:login"):
        return ADMIN_LOGIN
    return REDIRECT


def _get(client, path):
    try:
        return client.get(path), None
    except Exception as exc:  # a crash is an answer too: reported with the others
        return None, f"exception {type(exc).__name__}: {exc}"


def walk(client, role, world, *, skip=()):
    """[(url name, path, expected, got)] for every mismatch."""
    mismatches = []
    for url in named_urls():
        line = expectation(url)
        if line is None or (url.name, role) in skip:
            continue  # a URL without a line: test_every_url_has_a_line says so
        path = address(url, line, world)
        expected = line.expect[role]
        response, crash = _get(client, path)
        got = crash or answer(response, path)
        if got != expected:
            mismatches.append((url.name, path, expected, got))
    return mismatches


def _sign_in(client, users, role):
    if users[role] is not None:
        client.force_login(users[role])


# --- the tests --------------------------------------------------------------------------------


def table_problems(urls) -> list[str]:
    """What is wrong between the URL configuration and the table (empty: nothing)."""
    named = {u.name for u in urls if u.name}
    missing = sorted(f"{u.name}  ({u.route})" for u in urls if u.name and expectation(u) is None)
    unnamed = sorted(u.route for u in urls if not u.name and in_group(u) is None)
    stale = sorted(set(ACCESS_TABLE) - named)
    incomplete = sorted(n for n, line in ACCESS_TABLE.items() if set(line.expect) != set(ROLES))
    problems = []
    if missing:
        problems.append(
            "URL sans ligne dans pixcentre/access_table.py (dites qui y a accès) :\n  "
            + "\n  ".join(missing)
        )
    if unnamed:
        problems.append(
            "URL sans nom (nommez-la pour lui donner sa ligne dans la table) :\n  "
            + "\n  ".join(unnamed)
        )
    if stale:
        problems.append("Lignes de la table sans URL (à retirer) :\n  " + "\n  ".join(stale))
    if incomplete:
        problems.append("Lignes sans réponse pour chaque rôle :\n  " + "\n  ".join(incomplete))
    return problems


def test_every_url_has_a_line_in_the_table():
    urls = site_urls()
    problems = table_problems(urls)
    assert not problems, "\n".join(problems)
    assert {u.name for u in urls if u.name and not in_group(u)} == set(ACCESS_TABLE)


def test_a_new_url_without_a_line_is_caught():
    urls = site_urls()
    new = SiteUrl("candidates:nouvelle_page", "candidats/nouvelle-page/", ())
    unnamed = SiteUrl(None, "candidats/sans-nom/", ())
    problems = "\n".join(table_problems([*urls, new, unnamed]))
    assert "candidates:nouvelle_page" in problems and "candidats/sans-nom/" in problems
    assert "home" in "\n".join(table_problems([u for u in urls if u.name != "home"]))


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_table_says(client, users, world, role):
    _sign_in(client, users, role)
    gaps = {(name, gap_role) for name, gap_role, _why in KNOWN_GAPS}
    mismatches = walk(client, role, world, skip=gaps)
    assert not mismatches, f"{len(mismatches)} URL(s) answer {role} otherwise:\n" + "\n".join(
        f"  {name:40} {path:60} attendu {expected!s:24} obtenu {got}"
        for name, path, expected, got in mismatches
    )


@pytest.mark.parametrize(
    ("name", "role", "why"), KNOWN_GAPS, ids=[f"{n}-{r}" for n, r, _w in KNOWN_GAPS]
)
def test_known_gap(client, users, world, name, role, why):
    """A known gap still open is an expected failure; a closed one must leave the list."""
    _sign_in(client, users, role)
    url = next(u for u in named_urls() if u.name == name)
    line = expectation(url)
    path = address(url, line, world)
    response, crash = _get(client, path)
    got = crash or answer(response, path)
    if got != line.expect[role]:
        pytest.xfail(f"{name} as {role}: {got} instead of {line.expect[role]}: {why}")
    pytest.fail(f"{name} as {role} now answers {got}: remove it from KNOWN_GAPS")


# --- CSRF -------------------------------------------------------------------------------------

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
POST = re.compile(r"""method\s*=\s*["']?post""", re.I)


def post_forms_without_token(html: str) -> list[str]:
    return [
        attributes.strip()
        for attributes, body in FORM.findall(html)
        if POST.search(attributes) and "csrfmiddlewaretoken" not in body
    ]


@pytest.mark.parametrize("role", ["anonymous", "student", "external", "invigilator",
                                  "administrator", "referent"])  # fmt: skip
def test_every_post_form_has_a_csrf_token(client, users, world, role):
    """Each page of the site that a role may open (200, HTML): every POST form has its token."""
    _sign_in(client, users, role)
    checked, missing = 0, []
    for url in named_urls():
        line = expectation(url)
        if line is None or line.expect[role] != 200 or url.name.startswith("admin:"):
            continue
        path = address(url, line, world)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        forms = [a for a, _b in FORM.findall(html) if POST.search(a)]
        checked += len(forms)
        missing += [f"{path}: <form {attrs}>" for attrs in post_forms_without_token(html)]
    assert checked, "no POST form found: the check checked nothing"
    assert not missing, "POST forms without csrfmiddlewaretoken:\n  " + "\n  ".join(missing)


def test_the_form_check_sees_a_form_without_token():
    html = '<form method="post" action="/x/"><input name="a"></form><form method="get"></form>'
    assert post_forms_without_token(html) == ['method="post" action="/x/"']
