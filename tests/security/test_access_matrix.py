"""Who gets what, for every URL: one row per URL, one expected status per role.

To cover a new page, add one `Row` to `ROWS`: a label, a function building the URL from the
`world` (the objects made in `setUpTestData`), and the status each role must get. Every row
names all seven roles, so a new role or a forgotten one fails loudly. Use `everyone(...)` for
the common case and override the exceptions.

The cast: member A leads proposal `p_a`, assigned to unit X; member B leads `p_b`, assigned to
unit Y; the clerks work for X and Y; the office is the CPPCC's; the supervisor sees everything.
Pages outside someone's scope answer 404 (not 403) so a stranger cannot learn what exists;
admin pages answer as Django's admin does (302 to its login for non-staff, 403 for a model the
role may not open, 302 to the index for an object outside the scope).
"""

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.test import TestCase

from proposals.models import Body
from tests import factories as f

ANON, MEMBER_A, MEMBER_B, CLERK_X, CLERK_Y, OFFICE, SUPERVISOR = ROLES = (
    "anonymous",
    "member A",
    "member B",
    "clerk of X",
    "clerk of Y",
    "office",
    "supervisor",
)
SIGNED_IN = ROLES[1:]
STAFF = (CLERK_X, CLERK_Y, OFFICE, SUPERVISOR)
LOGIN = 302  # anonymous users are sent to the login page


def everyone(status, **exceptions):
    """Every role gets `status`, except the ones named (by role constant) in `exceptions`."""
    return {role: exceptions.get(role, status) for role in ROLES}


def staff_only(status, *, anonymous=LOGIN, members=302, **exceptions):
    """An admin page: members are not staff, so the admin sends them to its own login."""
    expected = everyone(status, **exceptions)
    expected[ANON] = anonymous
    expected[MEMBER_A] = expected[MEMBER_B] = members
    for role, value in exceptions.items():
        expected[role] = value
    return expected


def only(status, *roles, anonymous=LOGIN, others=404):
    expected = {role: (status if role in roles else others) for role in SIGNED_IN}
    expected[ANON] = anonymous
    return expected


@dataclass
class Row:
    label: str
    url: object  # callable(world) -> str
    expected: dict
    method: str = "get"
    data: dict = field(default_factory=dict)


def admin_rows():
    """Each admin model's changelist: staff roles see their scoped rows; roles and login records are the supervisor's."""
    rows = []
    for path in [
        "proposals/session",
        "proposals/member",
        "proposals/handlingunit",
        "proposals/proposal",
        "proposals/assignment",
        "proposals/assignmentrequest",
        "proposals/category",
        "proposals/event",
        "replies/contactrecord",
        "replies/reply",
        "replies/cohandlingopinion",
        "feedback/feedback",
    ]:
        rows.append(Row(f"admin list {path}", lambda w, path=path: f"/admin/{path}/", staff_only(200)))
    rows.append(Row("admin list roles", lambda w: "/admin/proposals/role/", staff_only(403, **{SUPERVISOR: 200})))
    rows.append(Row("admin list login attempts", lambda w: "/admin/axes/accessattempt/", staff_only(403)))
    return rows


ROWS = [
    Row("login page", lambda w: "/login/", everyone(200)),
    Row(
        "home: a staff user's inbox, a member is sent to /me/",
        lambda w: "/",
        everyone(200, **{ANON: LOGIN, MEMBER_A: 302, MEMBER_B: 302}),
    ),
    Row("proposal list", lambda w: "/proposals/", everyone(200, **{ANON: LOGIN})),
    Row("proposal A", lambda w: w.p_a.get_absolute_url(), only(200, MEMBER_A, CLERK_X, OFFICE, SUPERVISOR)),
    Row("proposal B", lambda w: w.p_b.get_absolute_url(), only(200, MEMBER_B, CLERK_Y, OFFICE, SUPERVISOR)),
    Row(
        "sealed scan of reply A (media files only through the app)",
        lambda w: f"/replies/{w.reply_a.pk}/scan/file/",
        only(200, MEMBER_A, CLERK_X, OFFICE, SUPERVISOR),
    ),
    Row("proposal that does not exist", lambda w: "/proposals/999999/", only(404)),
    Row("admin index", lambda w: "/admin/", staff_only(200)),
    *admin_rows(),
    Row(
        "admin proposal A",
        lambda w: f"/admin/proposals/proposal/{w.p_a.pk}/change/",
        staff_only(200, **{CLERK_Y: 302}),
    ),
    Row(
        "admin proposal B",
        lambda w: f"/admin/proposals/proposal/{w.p_b.pk}/change/",
        staff_only(200, **{CLERK_X: 302}),
    ),
    Row(
        "admin reply A",
        lambda w: f"/admin/replies/reply/{w.reply_a.pk}/change/",
        staff_only(200, **{CLERK_Y: 302}),
    ),
    Row(
        "admin feedback A",
        lambda w: f"/admin/feedback/feedback/{w.feedback_a.pk}/change/",
        staff_only(200, **{CLERK_Y: 302}),
    ),
    Row(
        "admin add proposal",
        lambda w: "/admin/proposals/proposal/add/",
        staff_only(200, **{CLERK_X: 403, CLERK_Y: 403}),
    ),
    Row("admin add session", lambda w: "/admin/proposals/session/add/", staff_only(403, **{SUPERVISOR: 200})),
    Row("admin add role", lambda w: "/admin/proposals/role/add/", staff_only(403, **{SUPERVISOR: 200})),
    Row("admin delete proposal A", lambda w: f"/admin/proposals/proposal/{w.p_a.pk}/delete/", staff_only(403)),
    Row(
        "admin save proposal A (empty form: errors for those who may edit)",
        lambda w: f"/admin/proposals/proposal/{w.p_a.pk}/change/",
        staff_only(200, **{CLERK_X: 403, CLERK_Y: 403}),
        method="post",
    ),
    Row(
        "admin save reply A",
        lambda w: f"/admin/replies/reply/{w.reply_a.pk}/change/",
        staff_only(403, **{CLERK_Y: 302}),  # an issued reply is never edited in place, even by a supervisor
        method="post",
    ),
    Row("logout", lambda w: "/logout/", everyone(302), method="post"),
    Row("switch language", lambda w: "/i18n/setlang/", everyone(302), method="post", data={"language": "zh-hans"}),
]


class AccessMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        session = f.session(Body.CPPCC)
        unit_x, unit_y = f.unit("X局", "X局"), f.unit("Y局", "Y局")
        user_a, member_a = f.member_user("甲委员")
        user_b, member_b = f.member_user("乙委员")
        cls.p_a = f.proposal(session, lead=member_a, title="甲委员的提案")
        cls.p_b = f.proposal(session, lead=member_b, title="乙委员的提案")
        assignment_a = f.assignment(cls.p_a, unit_x)
        f.assignment(cls.p_b, unit_y)
        cls.reply_a = f.reply(assignment_a)
        cls.feedback_a = f.feedback(cls.reply_a, member_a)
        cls.users = {
            ANON: None,
            MEMBER_A: user_a,
            MEMBER_B: user_b,
            CLERK_X: f.clerk(unit_x),
            CLERK_Y: f.clerk(unit_y),
            OFFICE: f.office(Body.CPPCC),
            SUPERVISOR: f.supervisor(),
        }

    def setUp(self):
        # In this test's media directory (tests/conftest.py gives each test its own).
        self.reply_a.sealed_scan.save("scan.pdf", ContentFile(b"%PDF-1.4 sealed scan"))

    def test_every_row_names_every_role(self):
        for row in ROWS:
            with self.subTest(row=row.label):
                self.assertEqual(set(row.expected), set(ROLES))

    def test_each_role_gets_the_expected_status_for_every_url(self):
        wrong = []
        for role, user in self.users.items():
            self.client.logout()
            if user is not None:
                self.client.force_login(user)
            for row in ROWS:
                url = row.url(self)
                response = getattr(self.client, row.method)(url, row.data)
                if response.status_code != row.expected[role]:
                    wrong.append(
                        f"{row.label} ({row.method.upper()} {url}) as {role}: {response.status_code}, expected {row.expected[role]}"
                    )
                if row.method == "post" and user is not None:
                    self.client.force_login(user)  # logout ended the session; carry on as the same role
        self.assertFalse(wrong, "\n" + "\n".join(wrong))
