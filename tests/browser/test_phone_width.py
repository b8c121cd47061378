"""Every page of every role on a 390 px phone (an iPhone 12-15 held upright).

The demo centre is loaded, then each demo account (and a visitor who is not signed in) walks
its menu and, one step further, every link of those pages. On each distinct page (an address
with its numbers replaced, for one role): the page does not scroll sideways
(``scrollWidth <= 390``), the menu button is on screen and opens the menu, and axe-core finds
no serious or critical violation. Wide tables scroll inside their own box.
"""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

from .conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Not pages: files, the back office (Django's own admin), signing out.
SKIP = re.compile(
    r"(\.(csv|ods|pdf|ics|json|zip)$)|^/backoffice/|^/comptes/logout/|/telecharger|/fichier"
    r"|^/couts/recus/|^/static/|^/media/|^/i18n/"
)
MAX_PAGES_PER_ROLE = 80


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "#main-nav a[href], main a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    return [h for h in hrefs if h.startswith("/") and not h.startswith("//")]


def _check_page(page, role: str, path: str, problems: list[str]):
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > 391
                         && !(e.parentElement.getBoundingClientRect().right > 391))
                 .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className)"""
        )
        problems.append(f"{role} {path}: {width} px wide ({', '.join(wide)})")
    button = page.get_by_test_id("menu-button")
    box = button.bounding_box() if button.is_visible() else None
    if box is None or box["x"] < 0 or box["x"] + box["width"] > PHONE["width"]:
        problems.append(f"{role} {path}: menu button not on screen ({box})")
    else:
        button.click()
        first_link = page.locator("#main-nav .nav-link").first
        try:
            first_link.wait_for(state="visible", timeout=3_000)
        except Exception:
            problems.append(f"{role} {path}: the menu button does not open the menu")
        else:
            if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
                problems.append(f"{role} {path}: the open menu is wider than the phone")
    for v in axe_violations(page):
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
        problems.append(f"{role} {path}: axe {v['id']} ({v['impact']}) {targets}")


def _walk(page, role: str, problems: list[str]) -> int:
    """Home (depth 0), the pages its menu and content link to (1), and theirs (2)."""
    queue, seen, checked = [("/", 0)], set(), 0
    while queue and checked < MAX_PAGES_PER_ROLE:
        href, depth = queue.pop(0)
        path = urlsplit(href).path
        key = _pattern(path)
        if key in seen or SKIP.search(path):
            continue
        seen.add(key)
        response = page.request.get(href, max_redirects=0)
        if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        page.goto(href)
        _check_page(page, role, path, problems)
        checked += 1
        if depth < 2:
            queue.extend((link, depth + 1) for link in _links(page))
    return checked


def test_every_page_of_every_role_fits_a_phone(browser, live_server):
    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    problems: list[str] = []
    counts = {}
    for email, role in [(None, "anonymous"), *((a[0], a[1]) for a in DEMO_ACCOUNTS)]:
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        if email:
            sign_in(page, email, DEMO_PASSWORD)
            page.get_by_test_id("home-title").wait_for()
        label = f"{role} ({email})" if email else role
        counts[label] = _walk(page, label, problems)
        problems.extend(f"{label}: JavaScript error {e}" for e in errors)
        page.screenshot(path=str(_shot(role)), full_page=True)  # the last page walked
        context.close()
    print(counts)
    assert all(n >= 3 for n in counts.values()), counts
    assert not problems, f"{len(problems)} problem(s) at 390 px:\n" + "\n".join(problems)


def _shot(role):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"test_every_page_of_every_role_fits_a_phone-{role}.png"
