"""docs/configuration.md lists every setting the code reads: each environment variable read
(``env.*("NAME"``, ``os.environ``, ``os.getenv``) and each ``settings.NAME`` an app reads that
pixcentre/settings.py defines. A new setting without its line fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "pixcentre",
    "outbox",
    "accounts",
    "competences",
    "candidates",
    "sessions_app",
    "billing",
]
ENV_READS = [
    re.compile(r'\benv\.\w+\(\s*"([A-Z][A-Z0-9_]*)"'),
    re.compile(r'\bEnv\(\)\.\w+\(\s*"([A-Z][A-Z0-9_]*)"'),
    re.compile(r'os\.environ(?:\.get\(|\.setdefault\(|\[)\s*"([A-Z][A-Z0-9_]*)"'),
    re.compile(r'os\.getenv\(\s*"([A-Z][A-Z0-9_]*)"'),
]
SETTINGS_READS = [
    re.compile(r"\bsettings\.([A-Z][A-Z0-9_]+)"),
    re.compile(r'getattr\(\s*settings,\s*"([A-Z][A-Z0-9_]+)"'),
]


def sources():
    yield ROOT / "manage.py"
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def reads(patterns, text: str) -> set[str]:
    return {name for pattern in patterns for name in pattern.findall(text)}


def documented(text: str) -> set[str]:
    """Names in the first column of a table row: | `NAME` | …"""
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", text, re.M))


def undocumented(code: dict[str, str], settings_text: str, doc_text: str) -> list[str]:
    defined = set(re.findall(r"^([A-Z][A-Z0-9_]+)\s*[:=]", settings_text, re.M))
    needed = set()
    for text in code.values():
        needed |= reads(ENV_READS, text)
        needed |= reads(SETTINGS_READS, text) & defined
    return sorted(needed - documented(doc_text))


def test_every_setting_the_code_reads_has_its_line():
    code = {str(path): path.read_text() for path in sources()}
    missing = undocumented(
        code,
        (ROOT / "pixcentre/settings.py").read_text(),
        (ROOT / "docs/configuration.md").read_text(),
    )
    assert missing == [], f"add to docs/configuration.md: {missing}"


def test_the_comparison_sees_a_new_setting_and_its_line():
    settings_text = 'PIX_NEW = env.int("PIX_NEW", default=3)\nFIXED = 2\n'
    code = {"app.py": "x = settings.FIXED\ny = settings.PIX_NEW\nz = settings.DEBUG\n"}
    assert undocumented(code, settings_text, "| `FIXED` | 2 | … |\n") == ["PIX_NEW"]
    assert undocumented(code, settings_text, "| `FIXED` | 2 |\n| `PIX_NEW` | 3 |\n") == []
    # os.environ reads count too, and a name merely mentioned in a sentence does not document
    code = {"app.py": 'os.environ.get("PIX_SECRET_THING")'}
    assert undocumented(code, "", "Set `PIX_SECRET_THING` somewhere.\n") == ["PIX_SECRET_THING"]
