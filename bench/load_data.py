"""Prepares the feedback scenario of bench/load.py in its database; prints what the users need as JSON.

    python bench/load_data.py --members 50 --replies-each 70     (with the run's DATABASE_URL / BANLI_SQLITE_PATH)

For each of `--members` members of the CPPCC session of this year: a member account
(`loadmember01`...; password banli-demo) and `--replies-each` proposals they lead, each
with an issued reply waiting for their feedback. Half of the members fill the form logged
in (/me/replies/<pk>/feedback/); the other half get a one-time link per reply (/f/<token>/),
as the e-mail sent when a reply is issued would carry. Run after `load_demo`.
"""

import datetime
import functools
import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo import seeds  # noqa: E402
from demo.management.commands.load_demo import DEMO_PASSWORD, aware, reply_title  # noqa: E402
from feedback.models import FeedbackLink  # noqa: E402
from proposals.models import (  # noqa: E402
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Body,
    Category,
    Deadline,
    DeadlineKind,
    HandlingUnit,
    Member,
    Period,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Session,
)
from replies import body as reply_body  # noqa: E402
from replies.models import Reply, ReplyStatus, ResultClass  # noqa: E402


def build(members_count, replies_each):
    today = timezone.localdate()
    session = Session.objects.get(body=Body.CPPCC, name=f"黄石市政协十四届{today.year}年会议")
    units = list(HandlingUnit.objects.filter(name__startswith="黄石市").order_by("pk"))
    category = Category.objects.order_by("pk").first()
    password = make_password(DEMO_PASSWORD)  # hashed once: 50 PBKDF2 runs would cost more than the rest
    User = get_user_model()
    world = {"form_members": [], "link_members": [], "print_replies": []}
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(username=f"loadmember{i:02d}", password=password) for i in range(1, members_count + 1)
        )
        members = Member.objects.bulk_create(
            Member(name=f"压测委员{i:02d}", body=Body.CPPCC, group="压测", user=user) for i, user in enumerate(users, 1)
        )
    serial = (
        Proposal.objects.filter(session=session).order_by("-serial").values_list("serial", flat=True).first() or 0
    ) + 1
    replies = []
    # One transaction per member: on PostgreSQL the figures triggers update the same tally rows
    # for every share and reply written, and in one long transaction each update walks every
    # earlier version of the row (200 members x 120 replies took more than 9 minutes that way).
    for index, (user, member) in enumerate(zip(users, members, strict=True)):
        with transaction.atomic():
            mine = issued_replies(session, member, serial, replies_each, units, category, today)
        serial += replies_each
        replies.extend(mine)
        if index % 2 == 0:
            world["form_members"].append({"username": user.username, "replies": [r.pk for r in mine]})
            continue
        tokens, links, now = [], [], timezone.now()
        for reply in mine:
            token = secrets.token_urlsafe(32)
            tokens.append(token)
            links.append(
                FeedbackLink(
                    reply=reply,
                    member=member,
                    token_sha256=FeedbackLink.hash_token(token),
                    created_at=now,
                    expires_at=now + datetime.timedelta(days=30),
                )
            )
        FeedbackLink.objects.bulk_create(links, batch_size=1000)
        world["link_members"].append({"member": member.name, "tokens": tokens})
    # What supervisors print: a fixed set of reply letters (the first print of each renders it,
    # later ones are served from the stored render, as in an office) and, during the run, the
    # signed forms the members have just submitted (each one a fresh render).
    world["print_replies"] = [r.pk for r in replies[:: max(1, len(replies) // 100)]][:100]
    return world


@functools.cache
def letter_structure():
    """The body every reply carries: a real letter's (seed 000, about 4,000 characters in 30-odd
    paragraphs), since the member's form page shows it and a supervisor's print typesets it.
    Read once for all the members."""
    return reply_body.paragraphs_from_text("\n".join(seeds.huangshi_reply()["paragraphs"]))


def issued_replies(session, member, serial, count, units, category, today):
    """`count` proposals led by `member`, each assigned to one unit with an issued reply; the replies."""
    proposals = Proposal.objects.bulk_create(
        Proposal(
            kind=ProposalKind.PROPOSAL,
            session=session,
            serial=serial + n,
            number=session.format_number(serial + n),
            title=f"关于{member.name}第{n + 1}件压测事项的提案",
            body="压测用提案正文。",
            lead=member,
            category=category,
            period=Period.SESSION,
            status=ProposalStatus.HANDLING,
            submitted_on=session.opens_on + datetime.timedelta(days=1),
        )
        for n in range(count)
    )
    assigned_on = today - datetime.timedelta(days=40)
    assignments = Assignment.objects.bulk_create(
        Assignment(
            proposal=p,
            body=session.body,
            unit=units[p.serial % len(units)],
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.REPLIED,
            assigned_on=assigned_on,
            signed_for_on=assigned_on + datetime.timedelta(days=1),
            due_on=session.due_on(assigned_on, AssignmentRole.LEAD),
        )
        for p in proposals
    )
    Deadline.objects.bulk_create(
        Deadline(assignment=a, round=1, kind=DeadlineKind.ORIGINAL, due_on=a.due_on) for a in assignments
    )
    written_on = today - datetime.timedelta(days=3)
    structure = letter_structure()
    return Reply.objects.bulk_create(
        Reply(
            assignment=a,
            round=1,
            doc_number=f"{a.unit.doc_prefix}〔{today.year}〕{a.proposal.serial}号",
            title=reply_title(a.proposal),
            addressees=f"{member.name}委员",
            body=reply_body.plain_text(structure),
            body_paragraphs=structure,
            result_class=ResultClass.values[0],
            written_on=written_on,
            status=ReplyStatus.ISSUED,
            issued_at=aware(written_on),
        )
        for a in assignments
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--replies-each", type=int, default=70)
    args = parser.parse_args()
    print(json.dumps(build(args.members, args.replies_each)))
