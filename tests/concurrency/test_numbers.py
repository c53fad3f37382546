"""Numbers that must stay unique when many people act at once: a proposal's explicit number,
a unit's 文号 at 签发. Each thread has its own connection, as each gunicorn worker thread would."""

import datetime

import pytest
from django.test import Client

from proposals.models import AssignmentRole, AssignmentStatus, Body, Proposal
from replies.models import DocNumber, Reply, ReplyStatus
from tests import factories as f

from .test_threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_offices_registering_the_same_explicit_number_at_once_get_one_proposal_and_nine_form_errors():
    session = f.session(Body.CPPCC, number_format="委员提案〔{year}〕{serial}号", year=2026)
    lead = f.member()
    office = f.office(Body.CPPCC, username="office")
    clients = []
    for _ in range(10):
        client = Client()
        client.force_login(office)
        clients.append(client)

    def register(i):
        data = {
            "session": session.pk,
            "lead": lead.pk,
            "title": f"同号登记的提案{i}",
            "serial": "7",
            "period": "session",
            "submitted_on": "2026-01-07",
        }
        response = clients[i].post("/office/register/", data)
        return response.status_code, response.content.decode()

    results, errors = run_at_once(10, register)

    assert errors == [None] * 10
    statuses = sorted(status for status, _page in results)
    assert statuses == [200] * 9 + [302], statuses  # one registered; nine forms shown again, none a 500
    for status, page in results:
        if status == 200:
            assert "本会次已有" in page
    assert Proposal.objects.filter(session=session).count() == 1


def test_two_signers_signing_off_at_once_give_two_different_doc_numbers():
    unit = f.unit("X市经济和信息化局", "X局", doc_prefix="X经信函")
    signers = [f.signer(unit, username=f"signer{i}") for i in range(2)]
    session = f.session(Body.CPPCC)
    replies = []
    for _i in range(6):
        share = f.assignment(
            f.proposal(session), unit, AssignmentRole.SEPARATE, status=AssignmentStatus.AWAITING_SIGNOFF
        )
        replies.append(f.reply(share, status=ReplyStatus.AWAITING_SIGNOFF, written_on=None))

    def sign(i):
        reply = Reply.objects.get(pk=replies[i].pk)
        reply.sign_off(by=signers[i % 2], review=False)
        return Reply.objects.get(pk=reply.pk).doc_number

    numbers, errors = run_at_once(len(replies), sign)

    assert errors == [None] * len(replies)
    year = datetime.date.today().year
    assert sorted(numbers) == sorted(f"X经信函〔{year}〕{n}号" for n in range(1, len(replies) + 1))
    assert DocNumber.objects.filter(unit=unit).count() == len(replies)
