"""Playwright on the system Chromium.

Without Chromium the browser tests are skipped with the command that installs it, except under
CI (``CI=true``), where a missing browser fails the run.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
INSTALL_HINT = "Chromium is not installed: run `apt-get update && apt-get install -y chromium`"


def chromium_path() -> str | None:
    return os.environ.get("PIXCENTRE_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{INSTALL_HINT} (CI=true: browser tests may not be skipped)")
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for the whole session;
    # Django must still allow the synchronous ORM calls that tests and fixtures make meanwhile.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # The birthplace referentials are read on first use (1.5 s idle, beyond the 15 s of a
    # click on a loaded machine): read them before the first identity form is saved.
    from candidates.birthplaces import preload

    preload()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync",
            ],
        )  # fmt: skip
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def _birthplaces_loaded():
    """Read the referential of communes before the first page that checks an identity: its
    first read (seconds on a loaded machine) would otherwise count against a click's timeout."""
    from candidates import birthplaces

    birthplaces.preload()


@pytest.fixture
def page(browser, live_server, _birthplaces_loaded):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Whatever the Content-Security-Policy blocks (an inline script, a foreign origin) and any
    # uncaught JavaScript error is a bug.
    problems = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and problems.append(f"CSP: {m.text}"),
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript: {error}"))
    yield page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def screenshot(page, request):
    """``screenshot("step")`` keeps a picture of the page in test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^\w-]+", "_", request.node.name)
    counter = iter(range(1, 1000))

    def take(step: str):
        path = ARTIFACTS / f"{test}-{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, email, password):
    page.goto("/comptes/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


AXE_BLOCKING = ("serious", "critical")


def axe_violations(page, *, impacts=AXE_BLOCKING) -> list[dict]:
    """Runs axe-core on the page as it is now; returns the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # From the site's own static files: the Content-Security-Policy refuses inline scripts.
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in impacts]


def assert_accessible(page):
    """No axe-core violation of impact "serious" or "critical" on the page as it is now."""
    violations = axe_violations(page)
    if violations:
        lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {page.url}"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
            for node in v["nodes"][:5]:
                summary = node.get("failureSummary", "").replace("\n", " ")
                lines.append(f"    {node['target']}: {summary}")
            if len(v["nodes"]) > 5:
                lines.append(f"    … and {len(v['nodes']) - 5} more node(s)")
        pytest.fail("\n".join(lines), pytrace=False)
