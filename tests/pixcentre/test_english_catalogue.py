"""The English catalogue is complete: no entry left empty or fuzzy, and the compiled .mo says
what the .po says (a .po edited without ``make messages`` would not reach the pages)."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def _entries(text: str):
    """(flags, msgctxt, msgid, msgid_plural, {index: msgstr}) of each entry of a .po file."""
    for block in text.split("\n\n"):
        flags, fields, current = set(), {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                current, _, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
        if "msgid" not in fields or fields["msgid"] == "":
            continue  # the header
        strs = {k: v for k, v in fields.items() if k.startswith("msgstr")}
        yield flags, fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strs


def _catalogue():
    return list(_entries((LOCALE / "django.po").read_text(encoding="utf-8")))


def test_no_entry_is_fuzzy_or_empty():
    entries = _catalogue()
    assert len(entries) > 1000  # the whole catalogue was read
    fuzzy = [msgid for flags, _, msgid, _, _ in entries if "fuzzy" in flags]
    empty = [msgid for _, _, msgid, _, strs in entries if any(not s for s in strs.values())]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy entries, e.g. {fuzzy[:5]}"
    assert empty == [], f"{len(empty)} untranslated entries, e.g. {empty[:5]}"


def test_the_compiled_catalogue_matches_the_po():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for _, context, msgid, plural, strs in _catalogue():
        key = f"{context}\x04{msgid}" if context else msgid
        if plural is None:
            if compiled.gettext(key) != strs["msgstr"]:
                stale.append(msgid)
        elif compiled.ngettext(key, plural, 1) != strs["msgstr[0]"] and not context:
            stale.append(msgid)
    assert stale == [], f"run `make messages`: {len(stale)} entries differ, e.g. {stale[:3]}"


def test_the_check_sees_a_fuzzy_and_an_empty_entry():
    text = '#, fuzzy\nmsgid "Bonjour"\nmsgstr "Hello"\n\nmsgid "Au revoir"\nmsgstr ""\n'
    entries = list(_entries('msgid ""\nmsgstr ""\n\n' + text))
    assert [("fuzzy" in e[0], e[2], e[4]["msgstr"]) for e in entries] == [
        (True, "Bonjour", "Hello"),
        (False, "Au revoir", ""),
    ]
