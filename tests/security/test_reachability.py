"""Everything a role may use is reachable by clicking from its home.

For each role of the access matrix (test_access_matrix.py, same cast and objects) a crawler
starts at the role's home and follows, with the test client, every same-origin link and every
GET form (sent with the values it shows); a POST form is a button the person can press, so its
action counts as reached without being sent. Every URL name the matrix allows the role (any
answer but a refusal) must be reached; the ones that are not fail the test by name. The table
role × reached/allowed is printed and written to test-output/reachability.txt.
"""

from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

from tests.security import test_access_matrix as matrix
from tests.security.test_access_matrix import ANON, ROLES, ROWS

REPORT = Path(__file__).resolve().parents[2] / "test-output" / "reachability.txt"
HOMES = {role: "/" for role in ROLES} | {ANON: "/login/"}
MAX_PAGES = 600  # per role: the crawl stops here even if links keep coming
MAX_VARIANTS = 4  # query-string variants of one path (tabs, filters, pages) worth opening

# Reached from outside the home, by design: the sign-in steps (from the sign-in page itself),
# single sign-on (the identity service), and a one-time link (from an e-mail or a text message).
NOT_FROM_HOME = {
    "login",
    "accounts:verify",
    "accounts:code_request",
    "accounts:code_verify",
    "accounts:oidc_authenticate",
    "accounts:oidc_callback",
    "feedback:link",
    "feedback:link_form",
    # the verification page of one form: from the QR code or the code printed on the form
    "feedback:verify",
    "feedback:verify_signature",
}
# Offered only in a state the cast does not have: a deactivated person (重新启用), similar proposals
# (关联), unread notifications (全部标为已读), a form without a signature (its scan), no 督办 ladder
# yet (install), supervisor review switched on (审核通过), a commitment already 销号 (重新打开).
ONLY_IN_OTHER_STATES = {
    "accounts:staff_reactivate",
    "proposals:link_similar",
    "notifications:read_all",
    "feedback:paper_scan",
    "supervision:install_ladder",
    "replies:review",
    "supervision:commitment_reopen",
}
# Pages still waiting for a link from the role's own pages, (role, URL name): printed with the
# table; the test fails once one is reached, so the entry goes when the link comes.
WAITING_FOR_A_LINK: set[tuple[str, str]] = set()
# Never opened by the crawler: signing out would end the crawl; the admin is its own site.
SKIP_PREFIXES = ("/logout/", "/admin/", "/static/", "/media/")


class Page(HTMLParser):
    """The links, GET forms (as URLs with their current values) and POST form actions of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.get_forms, self.post_actions, self.used = [], [], [], []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        # What the page itself loads or its script calls: an image, a data-…-url for a script.
        self.used += [
            v
            for k, v in a.items()
            if v and (k == "src" and tag == "img" or k.startswith("data-") and k.endswith("url"))
        ]
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "data": []}
        elif self._form is not None and tag in ("input", "button") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self._form["data"].append((a["name"], a.get("value") or ""))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]  # name, selected value, first value
        elif self._select is not None and tag == "option":
            value = a.get("value", "")
            if self._select[2] is None:
                self._select[2] = value
            if "selected" in a:
                self._select[1] = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            name, selected, first = self._select
            self._form["data"].append((name, selected if selected is not None else (first or "")))
            self._select = None
        elif tag == "form" and self._form is not None:
            form, self._form = self._form, None
            if form["method"] == "post":
                self.post_actions.append(form["action"])
            else:
                data = [(k, v) for k, v in form["data"] if k != "csrfmiddlewaretoken"]
                self.get_forms.append((form["action"], urlencode(data)))


def view_name(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def allowed_names(role):
    """The URL names the access matrix lets `role` use, outside the admin: the pages it opens (a GET
    answered 200) and the actions it takes (a POST answered 200, 302 or 400, not refused). A GET
    that only redirects (the form already sent, a draft that exists) is not a page of its own."""
    names = set()
    for row in ROWS:
        status = row.expected[role]
        if row.method == "get" and status != 200:
            continue
        if row.method == "post" and status not in (200, 302, 400):
            continue
        name = view_name(urlsplit(row.url(world)).path)
        if name and not name.startswith("admin:"):
            names.add(name)
    names -= ONLY_IN_OTHER_STATES
    return names - NOT_FROM_HOME if role != ANON else names - (NOT_FROM_HOME - {"login", "accounts:code_request"})


world = None  # the test's objects, for the rows' URL functions


def crawl(client, home, get_forms=None, dead_ends=None):
    """{url name: first URL seen} for every page opened and every POST action seen, from `home`.
    `get_forms`, a dict, collects each GET form's target path with the names of its fields;
    `dead_ends`, a list, collects each link offered on a page that answers with an error."""
    reached, seen = {}, set()
    variants = {}
    queue = deque([home])
    linked_from = {}
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        if parts.path.startswith(SKIP_PREFIXES) or "export=" in parts.query:
            continue
        if parts.query:
            variants[parts.path] = variants.get(parts.path, 0) + 1
            if variants[parts.path] > MAX_VARIANTS:
                continue
        response = client.get(url)
        pages += 1
        name = view_name(parts.path)
        if name and response.status_code in (200, 301, 302):
            reached.setdefault(name, url)
        if response.status_code in (301, 302):
            location = urljoin(url, response["Location"])
            if urlsplit(location).netloc in ("", "testserver"):
                queue.append(urlsplit(location)._replace(scheme="", netloc="").geturl())
            continue
        if response.status_code != 200:
            if dead_ends is not None and url in linked_from and response.status_code >= 400:
                dead_ends.append(f"{url} ({response.status_code}), linked from {linked_from[url]}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = Page()
        page.feed(response.content.decode())
        for href in page.links:
            target = urlsplit(urljoin(url, href))
            if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
                continue
            link = target._replace(scheme="", netloc="", fragment="").geturl()
            linked_from.setdefault(link, url)
            queue.append(link)
        for action, query in page.get_forms:
            target = urlsplit(urljoin(url, action))
            if target.netloc in ("", "testserver"):
                queue.append(f"{target.path}?{query}" if query else target.path)
                if get_forms is not None:
                    get_forms.setdefault(target.path, set()).update(k for k, _v in parse_qsl(query, True))
        for src in page.used:
            path = urlsplit(urljoin(url, src)).path
            if (name := view_name(path)) and not path.startswith(SKIP_PREFIXES):
                reached.setdefault(name, f"used by {path}")
        for action in page.post_actions:
            path = urlsplit(urljoin(url, action)).path
            if (name := view_name(path)) and not path.startswith("/admin/"):
                reached.setdefault(name, f"POST {path}")
    return reached


class ReachabilityTests(matrix.AccessMatrixTests):
    # The matrix's own tests run in their module; this class borrows only its cast and objects.
    test_every_row_names_every_role = None
    test_every_url_of_the_project_has_a_row = None
    test_each_role_gets_the_expected_status_for_every_url = None
    test_search_and_lists_show_only_what_the_role_may_see = None

    def test_every_page_a_role_may_use_is_reached_from_its_home(self):
        global world
        world = self
        lines, missing = [], []
        for role in ROLES:
            self.client.logout()
            user = self.users[role]
            if user is not None:
                self.client.force_login(user)
            allowed = allowed_names(role)
            dead_ends = []
            reached = crawl(self.client, HOMES[role], dead_ends=dead_ends)
            got = allowed & set(reached)
            # A link the role is offered never ends on an error page (refused, not found, broken).
            missing += [f"{role}: dead link {d}" for d in dead_ends]
            waiting = {name for r, name in WAITING_FOR_A_LINK if r == role}
            lines.append(f"{role:<12} {len(got):>3} / {len(allowed):<3} reached / allowed")
            lines.append("    reached: " + ", ".join(sorted(got)))
            if waiting:
                lines.append("    waiting for a link: " + ", ".join(sorted(waiting)))
            if allowed - got - waiting:
                lines.append("    NOT reached: " + ", ".join(sorted(allowed - got - waiting)))
                missing.append(f"{role}: {', '.join(sorted(allowed - got - waiting))}")
            if waiting & got:
                missing.append(
                    f"{role}: reached now, take out of WAITING_FOR_A_LINK: {', '.join(sorted(waiting & got))}"
                )
        table = "Reachability from each role's home (URL names the access matrix allows)\n" + "\n".join(lines) + "\n"
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(table, encoding="utf-8")
        print(table)
        self.assertFalse(missing, "not reachable by clicking from the home:\n" + "\n".join(missing))

    def test_what_a_person_can_type_into_a_search_or_filter_never_breaks_the_page(self):
        """Every GET form a role reaches (searches, filters, list tabs), each field in turn given what
        a person can type or paste into the address bar: an answer, never a server error."""
        typed = ["\x00", "9" * 40, "-1", "2026-02-30", "x" * 3000, "<b>'\"%"]
        broken = []
        self.client.raise_request_exception = False  # collect them all, then fail
        for role in ROLES:
            self.client.logout()
            if self.users[role] is not None:
                self.client.force_login(self.users[role])
            forms = {}
            crawl(self.client, HOMES[role], get_forms=forms)
            for path, fields in forms.items():
                if path.startswith(SKIP_PREFIXES):
                    continue
                for field in sorted(fields | {"page"}):
                    for value in typed:
                        response = self.client.get(path, {field: value})
                        if response.status_code >= 500:
                            broken.append(f"{role} {path}?{field}={value[:12]!r}: {response.status_code}")
        self.assertFalse(broken, "\n".join(broken))
