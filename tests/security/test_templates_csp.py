"""Every template keeps to the Content-Security-Policy: no inline script, handler or style.

The browser would silently block them (the page would look or work wrong), so this reads the
templates themselves: any page added later is covered without a request being written for it.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.security.test_headers import INLINE_HANDLER, INLINE_SCRIPT, INLINE_STYLE

# The CSP blocks `href="javascript:..."` too: a "返回" link written so would do nothing.
JAVASCRIPT_URL = re.compile(r"""(href|action|src)\s*=\s*["']?\s*javascript:""", re.I)


def all_templates():
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += [p for p in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in str(p)]
    for root in roots:
        yield from root.rglob("*.html")


# The reply letter's template is the PDF's; its print preview (/replies/<pk>/print/) is sent with
# a policy that allows inline styles (config.security.csp_with_inline_styles), checked below.
ALLOWED = {("templates/printing/reply_letter.html", "style")}


def test_no_template_has_inline_code_the_csp_would_block():
    offenders = []
    for template in all_templates():
        text = template.read_text(encoding="utf-8")
        text = re.sub(r"{#.*?#}", "", text)  # template comments are never sent
        patterns = [("script", INLINE_SCRIPT), ("handler", INLINE_HANDLER), ("style", INLINE_STYLE)]
        patterns.append(("javascript: URL", JAVASCRIPT_URL))
        for name, pattern in patterns:
            if pattern.search(text) and (str(template.relative_to(settings.BASE_DIR)), name) not in ALLOWED:
                offenders.append(f"{template.relative_to(settings.BASE_DIR)}: inline {name}")
    assert not offenders, "\n".join(offenders)


def test_the_scan_sees_the_templates():
    names = {t.name for t in all_templates()}
    assert {"base.html", "inbox.html"} <= names


@pytest.mark.django_db
def test_the_print_preview_may_use_its_inline_styles_but_no_inline_script(client):
    from tests import factories as f

    reply = f.reply(f.assignment(f.proposal(), f.unit()))
    client.force_login(f.supervisor())
    response = client.get(f"/replies/{reply.pk}/print/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert not INLINE_SCRIPT.search(response.content.decode())
