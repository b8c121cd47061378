"""No French left in the English pages.

The demo centre is loaded; a visitor and each demo account, in English (the language switch's
cookie, as the « OK » button sets it), walk their menu and every link of those pages, two steps
deep: the pages the journeys visit and the rest. On each page, the text a person reads or
hears (text, ``aria-label``, ``title``, ``placeholder``, ``alt``, button values) is checked for
French: French punctuation spacing (« : », « ; », guillemets), accented words, French function
words. What the centre's people typed is data, not interface: every text value stored in the
database (names, rooms, addresses, notes…) and the centre's name are taken out first, and so is
any element marked ``lang="fr"`` (a French proper name, the « Français » choice). Pix's own
values, which Pix's files carry in French whatever the language, are allowed by name.
"""

import html
import re
from collections import defaultdict
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db

# Pix's own values (Pix Certif's files and pages say them in French in every language) and
# proper names of products and institutions.
ALLOWED = {
    # values in Pix Certif's files and pages
    "Validée", "Validées", "Rejetée", "Annulée", "Gratuite", "Payante", "Prépayée",
    # and in its results files (kept as Pix's words in the English catalogue too)
    "Démarrée", "En erreur", "Non passée",
    # Pix's products and certifications
    "Pix+ Édu 1er degré", "Pix+ Édu 2nd degré", "Pix+ Édu CPE", "Pix+ Édu", "Pix+ Pro Santé",
    "Pix+ Droit", "CléA Numérique", "Pix Orga", "Pix Certif",
    # Pix Orga's button and the columns of the preparation units' file, named as they read
    "Exporter les résultats", "Numéro étudiant", "Parcours validés", "Année d’études",
    # the student information systems a roster comes from
    "Apogée", "Pégase",
    # institutions, named in French in every language
    "Défenseur des droits", "Libre réponse",
}  # fmt: skip
FRENCH_WORDS = {
    "vous", "votre", "vos", "nous", "est", "sont", "pour", "avec", "dans", "une", "des", "les",
    "aux", "du", "cette", "ces", "sans", "leur", "le", "la", "de", "et", "au", "sur", "par",
    "qui", "que", "pas", "mes", "mon", "ma", "à", "être",
}  # fmt: skip
ACCENTED = re.compile(r"\b\w*[àâçéèêëîïôûùüÿœæ]\w*\b", re.IGNORECASE)
# « Mon 14/06/2027 »: English's Monday, not French's « mon » (the pages print short weekdays).
ENGLISH_WEEKDAY = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b(?=,?\s*\d)")
FRENCH_SPACING = re.compile(r"\w[ \u00a0\u202f][:;!?»]|«")
SKIP = re.compile(
    r"(\.(csv|ods|pdf|ics|json|zip)$)|^/backoffice/|^/comptes/logout/|/telecharger|/fichier"
    r"|^/couts/recus/|^/static/|^/media/|^/i18n/|^/healthz|^/ping"
)
TEXT_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class _Text(HTMLParser):
    """The readable text of a page, without scripts and without ``lang`` other than English."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.stack: list[bool] = []  # per open element: is its text skipped?

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").split("-")[0]
        skipped = (
            self._skipped() or tag in ("script", "style", "template") or lang not in ("", "en")
        )
        if not skipped:
            self.chunks.extend(attrs[a] for a in TEXT_ATTRIBUTES if attrs.get(a))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipped() and data.strip():
            self.chunks.append(data)


def _data_values() -> list[str]:
    """Every text stored in the database by the demo (and the centre's name), longest first."""
    from django.apps import apps
    from django.db import models

    values = {settings.PIX_CENTRE_NAME, settings.PIX_CENTRE_CONTACT_EMAIL}
    for model in apps.get_models():
        if model._meta.app_label not in {"accounts", "candidates", "sessions_app", "billing"}:
            continue
        fields = [
            f.name for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]  # fmt: skip
        for row in model.objects.values_list(*fields) if fields else ():
            values.update(v for v in row if v and len(v) >= 3)
    return sorted(values, key=len, reverse=True)


def _pattern(values) -> re.Pattern:
    """Any of ``values`` as whole words, whatever the case (a name is also shown in capitals)."""
    alternatives = "|".join(re.escape(v) for v in sorted(set(values), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


_ALLOWED = _pattern(ALLOWED)


def french_in(text: str, data: list[str] | re.Pattern) -> list[str]:
    """The French fragments of a page's text, once data and allowed values are removed."""
    data = data if isinstance(data, re.Pattern) else _pattern(data or ["\x00"])
    text = data.sub(" ", _ALLOWED.sub(" ", text))  # Pix's names first: "Pix" is data too
    text = ENGLISH_WEEKDAY.sub(" ", text)
    found = []
    for line in (line.strip() for line in text.split("\n")):
        if not line:
            continue
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", line)}
        if FRENCH_SPACING.search(line) or ACCENTED.search(line) or words & FRENCH_WORDS:
            found.append(line[:100])
    return found


def _readable(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(html.unescape(c) for c in parser.chunks)


def _links(page: str) -> list[str]:
    return [h for h in re.findall(r'href="(/[^"]*)"', page) if not h.startswith("//")]


def _walk(client, data) -> dict[str, list[str]]:
    """French found per page, for the home page, its links and theirs."""
    queue, seen, found = [("/", 0)], set(), {}
    while queue:
        href, depth = queue.pop(0)
        href = html.unescape(href)
        path = urlsplit(href).path
        key = re.sub(r"\d+", "N", path)
        if key in seen or SKIP.search(path):
            continue
        seen.add(key)
        response = client.get(href)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        assert '<html lang="en">' in page, f"{path} is not in English"
        french = french_in(_readable(page), data)
        if french:
            found[path] = french
        if depth < 2:
            queue.extend((link, depth + 1) for link in _links(page))
    return found


def test_the_check_finds_french_and_spares_data_and_pix_values():
    data = ["Salle 2E08", "Léa Martin"]
    assert french_in("Seat confirmed for Léa Martin, Salle 2E08.", data) == []
    assert french_in("Status: Validée · Fee: Gratuite", data) == []
    assert french_in("Contact : pix@example.org", data) == ["Contact : pix@example.org"]
    assert french_in("Votre place est confirmée", data) == ["Votre place est confirmée"]
    assert french_in("Priority level", data) == []
    assert french_in("Mon 14/06/2027 14:00", data) == []  # a Monday's session
    assert french_in("Mon compte", data) == ["Mon compte"]
    assert _readable('<p>Hello <span lang="fr">Défenseur</span></p>').split() == ["Hello"]
    assert "Envoyer" in _readable('<button aria-label="Envoyer">→</button>')


def test_no_french_is_left_in_the_english_pages_of_any_role(client):
    call_command("seed_demo", stdout=StringIO())
    data = _pattern(_data_values())
    problems = defaultdict(set)
    walked = {}
    for email in [None, *(a[0] for a in DEMO_ACCOUNTS)]:
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if email:
            assert client.login(email=email, password=DEMO_PASSWORD)
        found = _walk(client, data)
        walked[email or "anonymous"] = True
        for path, fragments in found.items():
            for fragment in fragments:
                problems[fragment].add(f"{email or 'anonymous'} {path}")
    assert len(walked) == len(DEMO_ACCOUNTS) + 1
    report = [f"{fragment!r} on {sorted(pages)[0]}" + (f" (+{len(pages) - 1})" if len(pages) > 1
              else "") for fragment, pages in sorted(problems.items())]  # fmt: skip
    assert not report, f"{len(report)} French fragment(s) in English pages:\n" + "\n".join(report)
