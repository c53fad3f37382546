"""The English catalogue is complete: every Chinese string in the code has an English translation.

When a test here fails after you added or changed a user-facing string, run `make messages`
and write the English into the empty msgstr entries of locale/en/LC_MESSAGES/django.po.
"""

import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command

from .catalogue import CJK, PO, entries

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}")


def placeholders(text):
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


ENTRIES = entries()


def test_the_catalogue_covers_the_whole_interface():
    assert len(ENTRIES) > 700
    assert not [e.msgid for e in ENTRIES if e.obsolete], "obsolete entries left in the .po"


def test_every_msgid_has_english_and_none_is_fuzzy():
    fuzzy = [e.msgid for e in ENTRIES if "fuzzy" in e.flags]
    empty = [e.msgid for e in ENTRIES if not e.msgstrs or not all(s.strip() for s in e.msgstrs)]
    copied = [e.msgid for e in ENTRIES if CJK.search(e.msgid) and e.msgid in e.msgstrs]
    assert (fuzzy, empty, copied) == ([], [], [])


def test_plural_entries_have_both_english_forms():
    plurals = [e for e in ENTRIES if e.msgid_plural is not None]
    assert plurals
    for e in plurals:
        singular, plural = e.msgstrs
        assert singular != plural, e.msgid


def test_placeholders_match_between_chinese_and_english():
    mismatched = [(e.where, e.msgid, s) for e in ENTRIES for s in e.msgstrs if placeholders(s) != placeholders(e.msgid)]
    assert not mismatched


def test_the_placeholder_check_sees_every_kind_of_placeholder():
    assert placeholders("%(size).1f MB，%(n)s 件，{year}〔{serial}〕，%d") == sorted(
        ["%(size).1f", "%(n)s", "{year}", "{serial}", "%d"]
    )
    assert placeholders("%(n)s items") != placeholders("%(count)s items")


def test_english_strings_use_straight_quotes():
    """Curly quotes and the ellipsis come out full-width in the CJK font the pages use."""
    bad = [s for e in ENTRIES for s in e.msgstrs if re.search("[‘’“”…]", s)]
    assert not bad


def test_compiled_catalogues_are_build_output_not_committed():
    gitignore = (settings.BASE_DIR / ".gitignore").read_text()
    assert "*.mo" in gitignore.split()
    if shutil.which("git") and (settings.BASE_DIR / ".git").exists():
        tracked = subprocess.run(
            ["git", "ls-files", "*.mo"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
        ).stdout
        assert tracked == ""


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext tools are not installed")
def test_the_po_is_up_to_date_with_the_code(tmp_path, settings, monkeypatch):
    """makemessages on the code finds no string that lacks English.

    It runs in a mirror of the project (symlinks to the code, a copy of the catalogue) so the
    real locale/ is never written to.
    """
    skip = {".git", ".venv", "locale", "tests", "bench", "test-output", "media", "staticfiles"}
    for item in settings.BASE_DIR.iterdir():
        if item.name not in skip and not item.name.startswith("."):
            (tmp_path / item.name).symlink_to(item)
    target = tmp_path / "locale" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["en"], symlinks=True, verbosity=0)
    fresh = entries(target / "django.po")
    assert len(fresh) >= len(ENTRIES)
    missing = [e.msgid for e in fresh if not e.obsolete and ("fuzzy" in e.flags or not all(e.msgstrs))]
    assert not missing, f"strings without English (run `make messages`, then fill in the .po): {missing[:10]}"
    gone = [e.msgid for e in fresh if e.obsolete]
    assert not gone, f"strings no longer in the code (`make messages` drops them): {gone[:10]}"
