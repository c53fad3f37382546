"""Who gets what, for every URL: one row per URL, one expected status per role.

To cover a new page, add one `Row` to `ROWS`: a label, a function building the URL from the
`world` (the objects made in `setUpTestData`), and the status each role must get. Every row
names all seven roles, so a new role or a forgotten one fails loudly. Use `everyone(...)` for
the common case and override the exceptions.

The cast: member A leads proposal `p_a`, assigned to unit X; member B leads `p_b`, assigned to
unit Y; the clerks work for X and Y; the office is the CPPCC's; the supervisor sees everything.
Pages outside someone's scope answer 404 (not 403) so a stranger cannot learn what exists;
admin pages answer as Django's admin does (302 to its login for those who may not use it: members
and unit staff, whose work is all in the app's pages; 403 for a model or an action the role may
not; 302 to the index for an object outside the scope). The admin writes reference data only.

`test_every_url_of_the_project_has_a_row` lists the URLs with `get_resolver()`: a new URL without
a row fails. POST rows are sent inside a transaction that is rolled back, so every role meets the
same state; a redirect to a login page counts as LOGIN, any other redirect as 302. Actions answer
403 to a role that may see the object but not act on it (`acts(..., seers=...)`), 404 to the rest.
Public pages (/public/, /verify/, a one-time link) answer everyone, signed in or not.
"""

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.test import TestCase
from django.utils import timezone

from proposals.models import Body
from tests import factories as f
from tests.security.test_headers import inline_code

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
LOGIN = "login"  # a 302 to the login page (the site's or the admin's); told apart from other redirects


def everyone(status, **exceptions):
    """Every role gets `status`, except the ones named (by role constant) in `exceptions`."""
    return {role: exceptions.get(role, status) for role in ROLES}


def admin_only(status, **exceptions):
    """An admin page: only the office and the supervisor get in; the admin sends everyone else to its login."""
    expected = everyone(LOGIN)
    expected[OFFICE] = expected[SUPERVISOR] = status
    expected.update(exceptions)
    return expected


def only(status, *roles, anonymous=LOGIN, others=404):
    expected = {role: (status if role in roles else others) for role in SIGNED_IN}
    expected[ANON] = anonymous
    return expected


def acts(status, actors, *, seers=(), anonymous=LOGIN):
    """An action: `actors` get `status`; `seers` may see the object but not act (403); the rest 404."""
    expected = {role: 403 if role in seers else 404 for role in SIGNED_IN}
    expected.update({role: status for role in actors})
    expected[ANON] = anonymous
    return expected


# Who sees the objects of member A's proposals, assigned to unit X (issued replies for the member).
SEES_A = (MEMBER_A, CLERK_X, OFFICE, SUPERVISOR)
OVERSEERS = (OFFICE, SUPERVISOR)


@dataclass
class Row:
    label: str
    url: object  # callable(world) -> str
    expected: dict
    method: str = "get"
    data: object = field(default_factory=dict)  # a dict, or callable(world) -> dict


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
        "supervision/escalationlevel",
        "supervision/escalationrule",
        "supervision/escalation",
        "supervision/keytopic",
        "supervision/meetingrule",
    ]:
        rows.append(Row(f"admin list {path}", lambda w, path=path: f"/admin/{path}/", admin_only(200)))
    rows.append(Row("admin list roles", lambda w: "/admin/proposals/role/", admin_only(403, **{SUPERVISOR: 200})))
    rows.append(Row("admin list 催办", lambda w: "/admin/supervision/urge/", admin_only(200)))
    rows.append(
        Row(
            "admin list e-mails and texts sent",
            lambda w: "/admin/notifications/delivery/",
            admin_only(403, **{SUPERVISOR: 200}),
        )
    )
    rows.append(Row("admin list feedback links", lambda w: "/admin/feedback/feedbacklink/", admin_only(200)))
    rows.append(Row("admin list paragraph templates", lambda w: "/admin/replies/paragraphtemplate/", admin_only(200)))
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
    Row("admin index", lambda w: "/admin/", admin_only(200)),
    *admin_rows(),
    Row("admin proposal A", lambda w: f"/admin/proposals/proposal/{w.p_a.pk}/change/", admin_only(200)),
    Row("admin proposal B", lambda w: f"/admin/proposals/proposal/{w.p_b.pk}/change/", admin_only(200)),
    Row("admin reply A (read-only)", lambda w: f"/admin/replies/reply/{w.reply_a.pk}/change/", admin_only(200)),
    Row(
        "admin feedback A (read-only)", lambda w: f"/admin/feedback/feedback/{w.feedback_a.pk}/change/", admin_only(200)
    ),
    Row(
        "admin add proposal (registration is the office's page)",
        lambda w: "/admin/proposals/proposal/add/",
        admin_only(403),
    ),
    Row("admin add session", lambda w: "/admin/proposals/session/add/", admin_only(200)),
    Row("admin add role", lambda w: "/admin/proposals/role/add/", admin_only(403, **{SUPERVISOR: 200})),
    Row(
        "admin add assignment (交办 is the office's page)",
        lambda w: "/admin/proposals/assignment/add/",
        admin_only(403),
    ),
    Row("admin add reply", lambda w: "/admin/replies/reply/add/", admin_only(403)),
    Row("admin add contact", lambda w: "/admin/replies/contactrecord/add/", admin_only(403)),
    Row("admin add co-handling opinion", lambda w: "/admin/replies/cohandlingopinion/add/", admin_only(403)),
    Row("admin add feedback form", lambda w: "/admin/feedback/feedback/add/", admin_only(403)),
    Row("admin delete proposal A", lambda w: f"/admin/proposals/proposal/{w.p_a.pk}/delete/", admin_only(403)),
    Row("admin delete issued reply A", lambda w: f"/admin/replies/reply/{w.reply_a.pk}/delete/", admin_only(403)),
    Row(
        "admin delete sealed feedback A",
        lambda w: f"/admin/feedback/feedback/{w.feedback_a.pk}/delete/",
        admin_only(403),
    ),
    Row(
        "admin save proposal A (empty form: errors for those who may edit)",
        lambda w: f"/admin/proposals/proposal/{w.p_a.pk}/change/",
        admin_only(200),
        method="post",
    ),
    Row(
        "admin save reply A",
        lambda w: f"/admin/replies/reply/{w.reply_a.pk}/change/",
        admin_only(403),  # replies change only through their pages, never here
        method="post",
    ),
    Row(
        "admin save assignment A",
        lambda w: f"/admin/proposals/assignment/{w.reply_a.assignment_id}/change/",
        admin_only(403),
        method="post",
    ),
    Row("logout (to the login page)", lambda w: "/logout/", everyone(LOGIN), method="post"),
    Row("switch language", lambda w: "/i18n/setlang/", everyone(302), method="post", data={"language": "zh-hans"}),
    # --- the workspace: routing (the office of the body, the supervisor) --------------------
    Row("assign page", lambda w: f"/proposals/{w.p_a.pk}/assign/", acts(200, OVERSEERS, seers=(MEMBER_A, CLERK_X))),
    Row(
        "assign (empty form: errors)",
        lambda w: f"/proposals/{w.p_a.pk}/assign/",
        acts(200, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
        method="post",
    ),
    Row(
        "link a similar proposal (POST only)",
        lambda w: f"/proposals/{w.p_a.pk}/link/",
        everyone(405, **{ANON: LOGIN}),
    ),
    Row(
        "link a similar proposal",
        lambda w: f"/proposals/{w.p_a.pk}/link/",
        acts(302, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
        method="post",
        data=lambda w: {"other": w.p_b.pk, "kind": "related"},
    ),
    Row(
        "correct proposal A (answered already: back to it with why)",
        lambda w: f"/proposals/{w.p_a.pk}/edit/",
        acts(302, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
    ),
    Row(
        "correct a proposal not yet answered",
        lambda w: f"/proposals/{w.pending_x.proposal_id}/edit/",
        acts(200, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
    ),
    Row(
        "correct it (empty form: errors)",
        lambda w: f"/proposals/{w.pending_x.proposal_id}/edit/",
        acts(200, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
        method="post",
    ),
    Row(
        "correct a 交办 not yet signed for",
        lambda w: f"/assignments/{w.pending_x.pk}/edit/",
        acts(200, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
    ),
    Row(
        "correct a 交办 (empty form: errors)",
        lambda w: f"/assignments/{w.pending_x.pk}/edit/",
        acts(200, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
        method="post",
    ),
    Row("register page", lambda w: "/office/register/", only(200, *OVERSEERS)),
    Row("register (empty form: errors)", lambda w: "/office/register/", only(200, *OVERSEERS), method="post"),
    Row("members to co-sign (search)", lambda w: "/office/register/members/?q=A", only(200, *OVERSEERS)),
    Row("number preview", lambda w: f"/office/register/number/?session={w.p_a.session_id}", only(200, *OVERSEERS)),
    Row("requests to decide", lambda w: "/office/requests/", only(200, *OVERSEERS)),
    Row(
        "decide a return request",
        lambda w: f"/requests/{w.return_request.pk}/decide/",
        acts(200, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
    ),
    Row(
        "decide a return request (empty form: errors)",
        lambda w: f"/requests/{w.return_request.pk}/decide/",
        acts(200, OVERSEERS, seers=(MEMBER_A, CLERK_X)),
        method="post",
    ),
    # --- the workspace: the unit's work (its clerks) ------------------------------------------
    Row(
        "sign for (签收)",
        lambda w: f"/assignments/{w.pending_x.pk}/sign-for/",
        acts(302, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
        method="post",
    ),
    Row(
        "sign for by GET",
        lambda w: f"/assignments/{w.pending_x.pk}/sign-for/",
        everyone(405, **{ANON: LOGIN}),
    ),
    Row(
        "ask for return",
        lambda w: f"/assignments/{w.handling_x.pk}/return/",
        acts(200, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
    ),
    Row(
        "ask for return (empty form: errors)",
        lambda w: f"/assignments/{w.handling_x.pk}/return/",
        acts(200, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
        method="post",
    ),
    Row(
        "ask for extension",
        lambda w: f"/assignments/{w.handling_x.pk}/extension/",
        acts(200, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
    ),
    Row(
        "log a contact",
        lambda w: f"/assignments/{w.handling_x.pk}/contacts/new/",
        acts(200, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
    ),
    Row(
        "log a contact (saved)",
        lambda w: f"/assignments/{w.handling_x.pk}/contacts/new/",
        acts(302, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
        method="post",
        # Today: a contact is dated between 交办 (today, for this share) and today.
        data={
            "contacted_on": str(timezone.localdate()),
            "method": "phone",
            "participants": "甲",
            "summary": "电话沟通。",
        },
    ),
    Row(
        "edit a contact",
        lambda w: f"/contacts/{w.contact_x.pk}/edit/",
        acts(200, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
    ),
    Row(
        "co-unit opinion on a lead assignment",
        lambda w: f"/assignments/{w.handling_x.pk}/opinion/",
        acts(403, [], seers=(MEMBER_A, CLERK_X, OFFICE, SUPERVISOR)),
    ),
    Row(
        "start a reply where a draft exists (sent back to the proposal)",
        lambda w: f"/assignments/{w.handling_x.pk}/reply/",
        acts(302, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
    ),
    Row(
        "edit the draft (a member never sees drafts)",
        lambda w: f"/replies/{w.draft_x.pk}/edit/",
        acts(200, [CLERK_X], seers=(OFFICE, SUPERVISOR)),
    ),
    Row(
        "save the draft (empty form: errors)",
        lambda w: f"/replies/{w.draft_x.pk}/edit/",
        acts(200, [CLERK_X], seers=(OFFICE, SUPERVISOR)),
        method="post",
    ),
    Row(
        "submit the draft for 签发",
        lambda w: f"/replies/{w.draft_x.pk}/submit/",
        acts(302, [CLERK_X], seers=(OFFICE, SUPERVISOR)),
        method="post",
    ),
    Row(
        "签发 (a signer's; no signer in the cast)",
        lambda w: f"/replies/{w.awaiting_x.pk}/sign-off/",
        acts(403, [], seers=(CLERK_X, OFFICE, SUPERVISOR)),
        method="post",
    ),
    Row(
        "签发 confirmation page (a signer's)",
        lambda w: f"/replies/{w.awaiting_x.pk}/sign-off/",
        acts(403, [], seers=(CLERK_X, OFFICE, SUPERVISOR)),
    ),
    Row(
        "撤回 confirmation (the drafter's; this draft has none: the unit's clerks)",
        lambda w: f"/replies/{w.awaiting_x.pk}/withdraw/",
        acts(200, [CLERK_X], seers=(OFFICE, SUPERVISOR)),
    ),
    Row(
        "撤回",
        lambda w: f"/replies/{w.awaiting_x.pk}/withdraw/",
        acts(302, [CLERK_X], seers=(OFFICE, SUPERVISOR)),
        method="post",
        data={"note": "再核对数据"},
    ),
    Row(
        "send back (a signer's or, in review, a supervisor's)",
        lambda w: f"/replies/{w.awaiting_x.pk}/send-back/",
        acts(302, [SUPERVISOR], seers=(CLERK_X, OFFICE)),
    ),
    Row(
        "review: the confirmation (supervisor)",
        lambda w: f"/replies/{w.awaiting_x.pk}/review/",
        acts(200, [SUPERVISOR], seers=(CLERK_X, OFFICE)),
    ),
    Row(
        "review (supervisor; this one is not in review)",
        lambda w: f"/replies/{w.awaiting_x.pk}/review/",
        acts(302, [SUPERVISOR], seers=(CLERK_X, OFFICE)),
        method="post",
    ),
    Row(
        "upload the sealed scan",
        lambda w: f"/replies/{w.reply_a.pk}/scan/",
        acts(200, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
    ),
    Row(
        "mark delivered: the confirmation",
        lambda w: f"/replies/{w.reply_a.pk}/delivered/",
        acts(200, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
    ),
    Row(
        "mark delivered",
        lambda w: f"/replies/{w.reply_a.pk}/delivered/",
        acts(302, [CLERK_X], seers=(MEMBER_A, OFFICE, SUPERVISOR)),
        method="post",
    ),
    Row("paragraph templates", lambda w: "/paragraphs/", only(200, CLERK_X, CLERK_Y)),
    Row("edit a paragraph template of X", lambda w: f"/paragraphs/{w.template_x.pk}/edit/", only(200, CLERK_X)),
    Row(
        "delete a paragraph template of X",
        lambda w: f"/paragraphs/{w.template_x.pk}/delete/",
        only(302, CLERK_X),
        method="post",
    ),
    # --- members and feedback -------------------------------------------------------------
    Row("member portal", lambda w: "/me/", only(200, MEMBER_A, MEMBER_B)),
    Row(
        "reply A as read by its member (and staff in scope)",
        lambda w: f"/me/replies/{w.reply_a.pk}/",
        only(200, *SEES_A),
    ),
    Row(
        "member's form on reply A (already submitted: to the form)",
        lambda w: f"/me/replies/{w.reply_a.pk}/feedback/",
        only(302, MEMBER_A),
    ),
    Row("member's form on reply B", lambda w: f"/me/replies/{w.reply_b.pk}/feedback/", only(200, MEMBER_B)),
    Row(
        "member's form on reply B (empty: errors)",
        lambda w: f"/me/replies/{w.reply_b.pk}/feedback/",
        only(200, MEMBER_B),
        method="post",
    ),
    Row(
        "autosave of member B's form on reply B",
        lambda w: f"/me/replies/{w.reply_b.pk}/feedback/draft/",
        only(200, MEMBER_B),
        method="post",
        data={"opinion": "草稿"},
    ),
    Row(
        "autosave of member A's form on reply A (already submitted)",
        lambda w: f"/me/replies/{w.reply_a.pk}/feedback/draft/",
        only(409, MEMBER_A),
        method="post",
    ),
    Row("autosave without a link session", lambda w: "/f/form/draft/", everyone(404), method="post"),
    Row("link form without a link", lambda w: "/f/form/", everyone(404)),
    Row("a one-time link (the token is the key)", lambda w: f"/f/{w.token_b}/", everyone(302)),
    Row("a made-up link", lambda w: "/f/not-a-real-token/", everyone(404)),
    Row("feedback A", lambda w: f"/feedback/{w.feedback_a.pk}/", only(200, *SEES_A)),
    Row(
        "feedback A's signature",
        lambda w: f"/feedback/{w.feedback_a.pk}/signature.png",
        only(200, *SEES_A, anonymous=404),
    ),
    Row("feedback A's paper scan", lambda w: f"/feedback/{w.feedback_a.pk}/scan/", only(200, *SEES_A, anonymous=404)),
    Row(
        "receive feedback A (签收)", lambda w: f"/feedback/{w.feedback_a.pk}/receive/", only(302, OFFICE), method="post"
    ),
    Row("office feedback inbox", lambda w: "/office/feedback/", only(200, OFFICE)),
    Row("office paper entry for reply A", lambda w: f"/office/replies/{w.reply_a.pk}/paper/", only(200, OFFICE)),
    Row(
        "office sends member B a new link",
        lambda w: f"/office/replies/{w.reply_b.pk}/members/{w.member_b.pk}/link/",
        only(302, OFFICE),
        method="post",
    ),
    Row(
        "unit X's 文号 settings (its head, offices and supervisors set them)",
        lambda w: f"/units/{w.handling_x.unit_id}/settings/",
        acts(200, OVERSEERS, seers=(CLERK_X,)),
    ),
    Row("verify (public)", lambda w: "/verify/", everyone(200)),
    Row("verify a code (public)", lambda w: f"/verify/{w.feedback_a.verification_code}/", everyone(200)),
    Row("verify a wrong code (public)", lambda w: "/verify/AAAAAAAAAA/", everyone(404)),
    Row("verify a code that cannot be one (public)", lambda w: "/verify/a%2Fb/", everyone(404)),
    Row(
        "signature thumbnail of a verified code (public)",
        lambda w: f"/verify/{w.feedback_a.verification_code}/signature.png",
        everyone(200),
    ),
    Row(
        "resolve feedback A (not waiting for a check: back to the form)",
        lambda w: f"/office/feedback/{w.feedback_a.pk}/resolve/",
        only(302, OFFICE),
    ),
    # --- supervision ------------------------------------------------------------------------
    Row("dashboard", lambda w: "/dashboard/", only(200, *OVERSEERS)),
    Row("dashboard list", lambda w: "/dashboard/list/overdue/", only(200, *OVERSEERS)),
    Row("通报 draft (PDF)", lambda w: "/dashboard/report.pdf", only(200, *OVERSEERS)),
    Row("通报 draft (Word)", lambda w: "/dashboard/report.docx", only(200, *OVERSEERS)),
    Row("dashboard list that does not exist", lambda w: "/dashboard/list/nothing/", only(404)),
    Row("urge (催办) X", lambda w: f"/dashboard/urge/{w.handling_x.pk}/", only(302, *OVERSEERS), method="post"),
    Row("督办 overview", lambda w: "/escalations/", only(200, *OVERSEERS)),
    Row("督办 of X", lambda w: f"/escalations/assignment/{w.handling_x.pk}/", only(200, *OVERSEERS)),
    Row(
        "督办 X by hand",
        lambda w: f"/escalations/assignment/{w.handling_x.pk}/",
        acts(200, (SUPERVISOR,), seers=(OFFICE,)),
        method="post",
    ),
    Row("督办 ladder", lambda w: f"/escalations/session/{w.p_a.session_id}/", only(200, *OVERSEERS)),
    Row(
        "督办 ladder change",
        lambda w: f"/escalations/session/{w.p_a.session_id}/",
        acts(200, (SUPERVISOR,), seers=(OFFICE,)),
        method="post",
    ),
    Row(
        "督办 ladder defaults",
        lambda w: f"/escalations/session/{w.p_a.session_id}/defaults/",
        acts(302, (SUPERVISOR,), seers=(OFFICE,)),
        method="post",
    ),
    Row(
        "督办通知单 of X",
        lambda w: f"/escalations/{w.escalation.pk}/notice.pdf",
        only(200, CLERK_X, *OVERSEERS),
    ),
    Row("重点督办 topics", lambda w: "/escalations/topics/", only(200, *OVERSEERS)),
    Row("重点督办 topic", lambda w: f"/escalations/topics/{w.topic.pk}/", only(200, *OVERSEERS)),
    Row("new 重点督办 topic", lambda w: "/escalations/topics/new/", acts(200, (SUPERVISOR,), seers=(OFFICE,))),
    Row(
        "change 重点督办 topic",
        lambda w: f"/escalations/topics/{w.topic.pk}/edit/",
        acts(200, (SUPERVISOR,), seers=(OFFICE,)),
        method="post",
    ),
    Row("commitments", lambda w: "/commitments/", only(200, *STAFF)),
    Row("commitment of X", lambda w: f"/commitments/{w.commitment.pk}/", only(200, CLERK_X, *OVERSEERS)),
    Row(
        "commitment of X: progress",
        lambda w: f"/commitments/{w.commitment.pk}/progress/",
        acts(302, (CLERK_X,), seers=OVERSEERS),
        method="post",
        data={"note": "已开工"},
    ),
    Row(
        "commitment of X: 销号",
        lambda w: f"/commitments/{w.commitment.pk}/close/",
        acts(302, OVERSEERS, seers=(CLERK_X,)),
        method="post",
    ),
    Row(
        "commitment of X: reopen",
        lambda w: f"/commitments/{w.commitment.pk}/reopen/",
        acts(302, OVERSEERS, seers=(CLERK_X,)),
        method="post",
        data={"note": "未兑现"},
    ),
    Row(
        "record a commitment of reply A",
        lambda w: f"/commitments/new/{w.reply_a.pk}/",
        only(200, CLERK_X, *OVERSEERS),
    ),
    Row("unit scores", lambda w: "/scoring/", only(200, *OVERSEERS)),
    Row("unit scores of X", lambda w: f"/scoring/unit/{w.unit_x.pk}/", only(200, *OVERSEERS)),
    Row("import assignments", lambda w: "/dashboard/import/", only(200, *OVERSEERS)),
    Row("import template", lambda w: "/dashboard/import/template/", only(200, *OVERSEERS)),
    Row("search", lambda w: "/search/?q=提案", everyone(200, **{ANON: LOGIN})),
    Row("public list", lambda w: "/public/", everyone(200)),
    Row("public reply A (published with consent)", lambda w: f"/public/{w.reply_a.pk}/", everyone(200)),
    Row("public reply B (no consent)", lambda w: f"/public/{w.reply_b.pk}/", everyone(404)),
    # --- printing -------------------------------------------------------------------------
    Row("reply A PDF", lambda w: f"/replies/{w.reply_a.pk}/pdf/", only(200, *SEES_A)),
    Row(
        "draft reply PDF (not the member's)", lambda w: f"/replies/{w.draft_x.pk}/pdf/", only(200, CLERK_X, *OVERSEERS)
    ),
    Row("reply A print view", lambda w: f"/replies/{w.reply_a.pk}/print/", only(200, *SEES_A)),
    Row("reply A DOCX", lambda w: f"/replies/{w.reply_a.pk}/docx/", only(200, *SEES_A)),
    Row("reply A feedback form PDF", lambda w: f"/replies/{w.reply_a.pk}/feedback-form.pdf", only(200, *SEES_A)),
    Row("feedback A PDF", lambda w: f"/feedback/{w.feedback_a.pk}/pdf/", only(200, *SEES_A)),
    Row("blank feedback form PDF", lambda w: "/feedback/blank-form.pdf", everyone(200, **{ANON: LOGIN})),
    Row(
        "mailing packet of reply A (the unit and the office send it out)",
        lambda w: f"/replies/{w.reply_a.pk}/packet.pdf",
        acts(200, (CLERK_X, OFFICE, SUPERVISOR), seers=(MEMBER_A,)),
    ),
    Row("batch print page (each its own scope)", lambda w: "/printing/batch/", only(200, *STAFF)),
    Row("batch print (empty form: errors)", lambda w: "/printing/batch/", only(400, *STAFF), method="post"),
    Row("batch job", lambda w: f"/printing/batch/{w.batch.pk}/", only(200, SUPERVISOR)),
    Row("batch job status", lambda w: f"/printing/batch/{w.batch.pk}/status/", only(200, SUPERVISOR)),
    Row("batch job download", lambda w: f"/printing/batch/{w.batch.pk}/pdf/", only(200, SUPERVISOR)),
    # --- legacy imports ----------------------------------------------------------------------
    Row("imports", lambda w: "/imports/", only(200, *OVERSEERS)),
    Row("import upload (no file: errors)", lambda w: "/imports/upload/", only(200, *OVERSEERS), method="post"),
    # Accounts: sign-in steps, the user's own security page, staff management (offices and supervisors).
    Row(
        "second factor at sign-in (none enrolled: to enrolment)",
        lambda w: "/login/verify/",
        everyone(302, **{ANON: LOGIN}),
    ),
    Row("member code login", lambda w: "/login/code/", everyone(200)),
    Row("member code entry (no code asked for: back)", lambda w: "/login/code/verify/", everyone(LOGIN)),
    Row("account security", lambda w: "/account/", everyone(200, **{ANON: LOGIN})),
    Row("second factor enrolment", lambda w: "/account/2fa/enrol/", everyone(200, **{ANON: LOGIN})),
    Row(
        "new recovery codes (not verified: to the second factor)",
        lambda w: "/account/2fa/recovery-codes/",
        everyone(LOGIN),
        method="post",
    ),
    Row(
        "switch the second factor off (not verified: to the second factor)",
        lambda w: "/account/2fa/disable/",
        everyone(LOGIN),
        method="post",
    ),
    Row(
        "end a session that is not one's own",
        lambda w: "/account/sessions/00000000-0000-0000-0000-000000000000/end/",
        everyone(404, **{ANON: LOGIN}),
        method="post",
    ),
    Row("sign out everywhere", lambda w: "/account/sessions/end-all/", everyone(LOGIN), method="post"),
    Row("change password", lambda w: "/account/password/", everyone(200, **{ANON: LOGIN})),
    Row("staff management", lambda w: "/staff/", only(200, *OVERSEERS)),
    Row("add staff (empty form: errors)", lambda w: "/staff/add/", only(200, *OVERSEERS), method="post"),
    Row("a clerk's staff page", lambda w: f"/staff/{w.users[CLERK_X].pk}/", only(200, *OVERSEERS)),
    Row(
        "move a clerk out of unit X",
        lambda w: f"/staff/{w.users[CLERK_X].pk}/units/{w.unit_x.pk}/remove/",
        only(302, *OVERSEERS),
        method="post",
    ),
    Row(
        "deactivate a clerk",
        lambda w: f"/staff/{w.users[CLERK_X].pk}/deactivate/",
        only(302, *OVERSEERS),
        method="post",
    ),
    Row(
        "reactivate a clerk",
        lambda w: f"/staff/{w.users[CLERK_X].pk}/reactivate/",
        only(302, *OVERSEERS),
        method="post",
    ),
    Row(
        "reset a clerk's second factor",
        lambda w: f"/staff/{w.users[CLERK_X].pk}/second-factor/reset/",
        only(302, SUPERVISOR),
        method="post",
    ),
    Row("login log", lambda w: "/staff/logins/", only(200, SUPERVISOR)),
    Row("one's notifications", lambda w: "/notifications/", everyone(200, **{ANON: LOGIN})),
    Row(
        "mark all one's notifications read",
        lambda w: "/notifications/read/",
        everyone(302, **{ANON: LOGIN}),
        method="post",
    ),
    Row("open member A's notification", lambda w: f"/notifications/{w.notice_a.pk}/", only(302, MEMBER_A)),
    Row(
        "mark member A's notification read",
        lambda w: f"/notifications/{w.notice_a.pk}/read/",
        only(302, MEMBER_A),
        method="post",
    ),
    Row("single sign-on start (off)", lambda w: "/oidc/authenticate/", everyone(404)),
    Row("single sign-on answer (off)", lambda w: "/oidc/callback/", everyone(404)),
    Row("an import of the CPPCC", lambda w: f"/imports/{w.imported.pk}/", only(200, *OVERSEERS)),
    Row("refuse an import", lambda w: f"/imports/{w.imported.pk}/refuse/", only(302, *OVERSEERS), method="post"),
]


def observed(response):
    """The status, with a redirect to a login page (the site's or the admin's) told apart as LOGIN."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(("/login/", "/admin/login/")):
            return LOGIN
    return response.status_code


def named_urls():
    """Every named URL of the project outside the admin, as `namespace:name`."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return found


class AccessMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from django.utils import timezone

        from feedback.models import FeedbackLink
        from legacy.models import ImportedDocument, ImportStatus
        from notifications.models import Notification
        from printing.models import BatchJob, BatchStatus
        from proposals.models import AssignmentRequest, AssignmentStatus, RequestKind
        from replies.models import ContactRecord, ParagraphTemplate, Publication, ReplyStatus
        from supervision import escalation, services
        from supervision.models import Commitment, KeyTopic

        session = f.session(Body.CPPCC)
        unit_x, unit_y = f.unit("X局", "X局"), f.unit("Y局", "Y局")
        cls.unit_x = unit_x
        user_a, member_a = f.member_user("甲委员")
        user_b, cls.member_b = f.member_user("乙委员")
        cls.p_a = f.proposal(session, lead=member_a, title="甲委员的提案")
        cls.p_b = f.proposal(session, lead=cls.member_b, title="乙委员的提案")
        assignment_a = f.assignment(cls.p_a, unit_x, status=AssignmentStatus.REPLIED)
        assignment_b = f.assignment(cls.p_b, unit_y, status=AssignmentStatus.REPLIED)
        cls.reply_a = f.reply(assignment_a, publication=Publication.PUBLIC)
        cls.reply_b = f.reply(assignment_b, publication=Publication.PUBLIC)
        cls.member_a = member_a
        _link, cls.token_b = FeedbackLink.issue(reply=cls.reply_b, member=cls.member_b)
        # Unit X's work on three more of member A's proposals: 待签收, 办理中 (a contact, a draft), 待签发.
        cls.pending_x = f.assignment(f.proposal(session, lead=member_a), unit_x)
        cls.handling_x = f.assignment(f.proposal(session, lead=member_a), unit_x, status=AssignmentStatus.HANDLING)
        cls.contact_x = ContactRecord.objects.create(
            assignment=cls.handling_x, contacted_on=timezone.localdate(), method="phone", summary="电话沟通。"
        )
        cls.draft_x = f.reply(cls.handling_x, status=ReplyStatus.DRAFT)
        awaiting = f.assignment(f.proposal(session, lead=member_a), unit_x, status=AssignmentStatus.AWAITING_SIGNOFF)
        cls.awaiting_x = f.reply(awaiting, status=ReplyStatus.AWAITING_SIGNOFF)
        cls.template_x = ParagraphTemplate.objects.create(unit=unit_x, title="开头语", body="现答复如下：")
        cls.users = {
            ANON: None,
            MEMBER_A: user_a,
            MEMBER_B: user_b,
            CLERK_X: f.clerk(unit_x),
            CLERK_Y: f.clerk(unit_y),
            OFFICE: f.office(Body.CPPCC),
            SUPERVISOR: f.supervisor(),
        }
        cls.notice_a = Notification.objects.create(
            user=user_a,
            event="reply_issued",
            key="reply_issued:a",
            subject="答复已发出",
            url=cls.p_a.get_absolute_url(),
        )
        cls.return_request = AssignmentRequest.objects.create(
            assignment=awaiting, kind=RequestKind.RETURN, reason="不属于本单位职责。", requested_by=cls.users[CLERK_X]
        )
        cls.batch = BatchJob.objects.create(
            requested_by=cls.users[SUPERVISOR], session=session, status=BatchStatus.DONE, total=1, done=1
        )
        escalation.install_default_ladder(session)
        cls.escalation = services.escalate(
            assignment=cls.handling_x,
            level=session.escalation_levels.get(rank=2),
            by=cls.users[SUPERVISOR],
            reason="进度滞后",
        )
        cls.commitment = Commitment.objects.record(
            reply=cls.reply_a, by=cls.users[CLERK_X], text="年底前完成", due_on=timezone.localdate()
        )
        cls.topic = KeyTopic.objects.create(
            session=session, title="专题", leader="李明", created_by=cls.users[SUPERVISOR]
        )
        cls.imported = ImportedDocument.objects.create(
            file_name="旧答复.txt",
            sha256="0" * 64,
            source_text="关于……的答复",
            body=Body.CPPCC,
            status=ImportStatus.NEEDS_REVIEW,
            uploaded_by=cls.users[OFFICE],
        )

    def setUp(self):
        # Files go under this test's MEDIA_ROOT (set per test in tests/conftest.py).
        from django.core.files.storage import default_storage

        from tests.feedback.conftest import signature_png

        self.feedback_a = f.feedback(
            self.reply_a,
            self.member_a,
            verification_code="K7Q29XWD23",
            signature=default_storage.save("signatures/sig.png", ContentFile(signature_png())),
            paper_scan=default_storage.save("feedback/scan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n")),
        )
        from feedback.services import publish_if_agreed

        publish_if_agreed(reply=self.reply_a)  # as submitting the form does: member A agreed
        self.batch.file.save("batch.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        self.reply_a.sealed_scan.save("scan.pdf", ContentFile(b"%PDF-1.4 sealed scan"))

    def test_every_row_names_every_role(self):
        for row in ROWS:
            with self.subTest(row=row.label):
                self.assertEqual(set(row.expected), set(ROLES))

    def test_every_url_of_the_project_has_a_row(self):
        from django.urls import resolve

        covered = {resolve(row.url(self).split("?")[0]).view_name for row in ROWS}
        self.assertEqual(named_urls() - covered, set())

    def test_each_role_gets_the_expected_status_for_every_url(self):
        from django.db import transaction

        wrong = []
        for role, user in self.users.items():
            self.client.logout()
            if user is not None:
                self.client.force_login(user)
            for row in ROWS:
                url = row.url(self)
                data = row.data(self) if callable(row.data) else row.data
                if user is None:
                    self.client.cookies.clear()  # each anonymous request a new visitor (no link session)
                if row.method == "post":
                    # Each role meets the same state: what a POST changes is rolled back.
                    with transaction.atomic():
                        response = self.client.post(url, data)
                        transaction.set_rollback(True)
                else:
                    response = self.client.get(url, data)
                if observed(response) != row.expected[role]:
                    wrong.append(
                        f"{row.label} ({row.method.upper()} {url}) as {role}: {observed(response)}, expected {row.expected[role]}"
                    )
                if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                    # What the page sends must keep to the CSP too (widgets' attrs included).
                    for name in inline_code(response.content.decode()):
                        wrong.append(f"{row.label} ({url}) as {role}: inline {name} the CSP blocks")
                if row.method == "post" and user is not None:
                    self.client.force_login(user)  # logout ended the session; carry on as the same role
        self.assertFalse(wrong, "\n" + "\n".join(wrong))

    def test_search_and_lists_show_only_what_the_role_may_see(self):
        """A 200 is not enough for pages that list things: the rows must be the role's own."""
        sees_a = {MEMBER_A, CLERK_X, OFFICE, SUPERVISOR}
        for role, user in self.users.items():
            if user is None:
                continue
            self.client.force_login(user)
            for url in ("/search/?q=甲委员的提案", "/proposals/"):
                with self.subTest(role=role, url=url):
                    page = self.client.get(url).content.decode()
                    self.assertEqual(f'href="{self.p_a.get_absolute_url()}"' in page, role in sees_a)
