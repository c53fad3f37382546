"""Every template keeps to the Content-Security-Policy: no inline script, handler or style.

The browser would silently block them (the page would look or work wrong), so this reads the
templates themselves: any page added later is covered without a request being written for it.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.security.test_headers import INLINE_CODE, INLINE_SCRIPT

# The CSP blocks `href="javascript:..."` too: a "返回" link written so would do nothing.
JAVASCRIPT_URL = re.compile(r"""(href|action|src)\s*=\s*["']?\s*javascript:""", re.I)


def all_templates():
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += [p for p in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in str(p)]
    for root in roots:
        yield from root.rglob("*.html")


# Nothing is exempt: the print preview's <style> block carries the request's nonce (checked below).
ALLOWED = set()


def test_no_template_has_inline_code_the_csp_would_block():
    offenders = []
    for template in all_templates():
        text = template.read_text(encoding="utf-8")
        text = re.sub(r"{#.*?#}", "", text)  # template comments are never sent
        patterns = [*INLINE_CODE, ("javascript: URL", JAVASCRIPT_URL)]
        for name, pattern in patterns:
            if pattern.search(text) and (str(template.relative_to(settings.BASE_DIR)), name) not in ALLOWED:
                offenders.append(f"{template.relative_to(settings.BASE_DIR)}: inline {name}")
    assert not offenders, "\n".join(offenders)


def test_the_scan_sees_the_templates():
    names = {t.name for t in all_templates()}
    assert {"base.html", "inbox.html"} <= names


@pytest.mark.django_db
def test_the_print_preview_styles_carry_the_nonce_and_nothing_is_unsafe_inline(client):
    from tests import factories as f

    reply = f.reply(f.assignment(f.proposal(), f.unit()))
    client.force_login(f.supervisor())
    response = client.get(f"/replies/{reply.pk}/print/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", csp).group(1)
    html = response.content.decode()
    assert f'<style nonce="{nonce}">' in html
    assert not INLINE_SCRIPT.search(html)
