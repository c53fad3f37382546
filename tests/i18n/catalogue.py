"""Reading locale/en/LC_MESSAGES/django.po in tests, and keeping the compiled catalogue fresh.

The .mo files are build output (`make` runs compilemessages; they are git-ignored), so a
test run straight after editing the .po compiles it first.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list = field(default_factory=list)
    flags: set = field(default_factory=set)
    obsolete: bool = False
    where: str = ""


def entries(path=PO):
    """Every entry after the header."""
    found = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = block.split("\n")
        entry, key, strs = Entry(msgid=None), None, {}
        for line in lines:
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].strip()
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#:") and not entry.where:
                entry.where = line[2:].split()[0]
            elif m := FIELD.match(line):
                key = m.group(1)
                strs[key] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and key:
                strs[key] += ast.literal_eval(line)
        entry.msgid = strs.get("msgid")
        entry.msgctxt = strs.get("msgctxt")
        entry.msgid_plural = strs.get("msgid_plural")
        entry.msgstrs = [v for k, v in sorted(strs.items()) if k.startswith("msgstr")]
        if entry.msgid:
            found.append(entry)
    return found


def ensure_compiled():
    """Compile the catalogue if the .mo is missing or older than the .po, and drop cached catalogues."""
    if MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime:
        return
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compilemessages", locale=["en"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
