"""Every template keeps to the Content-Security-Policy: no inline script, handler or style.

The browser would silently block them (the page would look or work wrong), so this reads the
templates themselves: any page added later is covered without a request being written for it.
"""

import re
from pathlib import Path

from django.conf import settings

from tests.security.test_headers import INLINE_HANDLER, INLINE_SCRIPT, INLINE_STYLE


def all_templates():
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += [p for p in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in str(p)]
    for root in roots:
        yield from root.rglob("*.html")


def test_no_template_has_inline_code_the_csp_would_block():
    offenders = []
    for template in all_templates():
        text = template.read_text(encoding="utf-8")
        text = re.sub(r"{#.*?#}", "", text)  # template comments are never sent
        for name, pattern in (("script", INLINE_SCRIPT), ("handler", INLINE_HANDLER), ("style", INLINE_STYLE)):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(settings.BASE_DIR)}: inline {name}")
    assert not offenders, "\n".join(offenders)


def test_the_scan_sees_the_templates():
    names = {t.name for t in all_templates()}
    assert {"base.html", "inbox.html"} <= names
