"""Similar proposals in the pages: 并案 candidates after registration and at import, the link/并案
action (the office's, recorded on both timelines), and earlier replies beside a reply draft."""

import datetime

import pytest
from django.urls import reverse

from legacy.services import import_document
from proposals import similar
from proposals.models import AssignmentStatus, Body, Event, EventVerb, LinkKind, Proposal, ProposalLink
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    session = factories.session(body=Body.CPPCC, year=2025)
    earlier = factories.session(body=Body.CPPCC, year=2023)
    unit, other_unit = factories.unit(), factories.unit()
    parking = Proposal.objects.register(
        session=earlier,
        lead=factories.member(),
        title="关于加快城区智慧停车系统建设的提案",
        body="城区停车难，建议建设智慧停车平台，盘活错时停车资源。",
        by=None,
    )
    return {
        "session": session,
        "parking": parking,
        "office": factories.office(body=Body.CPPCC),
        "npc_office": factories.office(body=Body.NPC),
        "clerk": factories.clerk(unit),
        "unit": unit,
        "other_unit": other_unit,
    }


def register(client, cast, title, body):
    client.force_login(cast["office"])
    data = {
        "session": cast["session"].pk,
        "lead": factories.member().pk,
        "title": title,
        "body": body,
        "period": "session",
        "submitted_on": "2025-01-08",
    }
    response = client.post(reverse("proposals:register"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return Proposal.objects.get(title=title)


def test_after_registering_the_office_sees_the_similar_earlier_proposal(client, cast):
    new = register(client, cast, "关于推进城区智慧停车系统建设工作的提案", "建议建设全市智慧停车平台。")
    page = client.get(reverse("proposals:assign", args=[new.pk])).content.decode()
    assert "相似的建议提案（并案候选）" in page
    assert cast["parking"].title in page and 'value="merged"' in page


def test_merging_is_recorded_on_both_timelines_and_returns_to_the_page(client, cast):
    new = register(client, cast, "关于推进城区智慧停车系统建设工作的提案", "建议建设全市智慧停车平台。")
    back = reverse("proposals:assign", args=[new.pk])
    response = client.post(
        reverse("proposals:link_similar", args=[new.pk]),
        {"other": cast["parking"].pk, "kind": LinkKind.MERGED, "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    link = ProposalLink.objects.get()
    assert (link.proposal, link.other, link.kind, link.created_by) == (
        new,
        cast["parking"],
        LinkKind.MERGED,
        cast["office"],
    )
    for p in (new, cast["parking"]):
        assert Event.objects.filter(proposal=p, verb=EventVerb.MERGED, actor=cast["office"]).exists()
    page = client.get(back).content.decode()
    assert '<span class="tag">并案</span>' in page


def test_a_link_to_another_site_goes_back_to_the_proposal_instead(client, cast):
    new = register(client, cast, "关于推进城区智慧停车系统建设工作的提案", "")
    response = client.post(
        reverse("proposals:link_similar", args=[new.pk]),
        {"other": cast["parking"].pk, "kind": LinkKind.RELATED, "next": "https://example.org/"},
    )
    assert response["Location"] == new.get_absolute_url()


def test_only_the_office_of_the_body_may_link(client, cast):
    new = Proposal.objects.register(
        session=cast["session"], lead=factories.member(), title="关于建设智慧停车系统的提案", by=None
    )
    url = reverse("proposals:link_similar", args=[new.pk])
    data = {"other": cast["parking"].pk, "kind": LinkKind.RELATED}
    for who, status in (("clerk", 404), ("npc_office", 404)):
        client.force_login(cast[who])
        assert client.post(url, data).status_code == status
    assert not ProposalLink.objects.exists()
    client.force_login(cast["office"])
    assert client.post(url, {"other": new.pk, "kind": LinkKind.RELATED}).status_code == 404  # not itself
    assert client.post(url, {"other": cast["parking"].pk, "kind": "nonsense"}).status_code == 404


def test_the_import_review_page_lists_similar_proposals(client, cast):
    text = (
        "陈明委员：\n您提出的《关于推进城区智慧停车系统建设工作的提案》收悉，现答复如下：\n"
        "建设全市智慧停车平台。\n黄石市城市管理执法局\n2025年6月1日"
    )
    doc = import_document(file_name="p.txt", data=text.encode(), user=cast["office"]).document
    client.force_login(cast["office"])
    page = client.get(doc.get_absolute_url()).content.decode()
    assert "相似的建议提案（并案候选）" in page and cast["parking"].title in page


def test_a_clerk_drafting_sees_earlier_replies_of_their_unit_to_similar_proposals(client, cast):
    earlier = factories.assignment(cast["parking"], cast["unit"], status=AssignmentStatus.REPLIED)
    factories.reply(earlier, body="我局已建成智慧停车平台一期，接入泊位3000个。", written_on=datetime.date(2023, 6, 1))
    hidden = Proposal.objects.register(
        session=cast["session"], lead=factories.member(), title="关于加快城区智慧停车系统建设的提案", by=None
    )
    factories.reply(factories.assignment(hidden, cast["other_unit"]), body="另一单位的答复，不应出现。")
    new = Proposal.objects.register(
        session=cast["session"], lead=factories.member(), title="关于推进城区智慧停车系统建设工作的提案", by=None
    )
    a = factories.assignment(new, cast["unit"], status=AssignmentStatus.HANDLING)
    client.force_login(cast["clerk"])
    page = client.get(reverse("replies:create", args=[a.pk])).content.decode()
    assert "相似建议提案的答复" in page
    assert "接入泊位3000个" in page
    assert "另一单位的答复" not in page  # another unit's reply stays out of sight


def test_no_similar_section_for_an_unrelated_draft(client, cast):
    p = Proposal.objects.register(
        session=cast["session"], lead=factories.member(), title="关于加强候鸟栖息地保护的提案", by=None
    )
    a = factories.assignment(p, cast["unit"], status=AssignmentStatus.HANDLING)
    client.force_login(cast["clerk"])
    assert "相似建议提案的答复" not in client.get(reverse("replies:create", args=[a.pk])).content.decode()
    assert similar.similar_to(p) == []
