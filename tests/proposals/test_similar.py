"""Similar proposals (并案 candidates): found by title and body without word segmentation, in
traditional characters too, within the office's scope; linking them is recorded on both timelines."""

import pytest

from proposals import similar
from proposals.models import (
    Body,
    Event,
    EventVerb,
    GramFrequency,
    LinkKind,
    Proposal,
    ProposalLink,
    SimilarityGram,
)
from tests import factories

pytestmark = pytest.mark.django_db


def register(session, title, body="", lead=None):
    return Proposal.objects.register(
        session=session, lead=lead or factories.member(body=session.body), title=title, body=body, by=None
    )


@pytest.fixture
def corpus():
    session = factories.session(body=Body.CPPCC, year=2025)
    old = factories.session(body=Body.CPPCC, year=2023)
    return {
        "session": session,
        "parking": register(
            old, "关于加快城区智慧停车系统建设的提案", "城区停车难，建议建设智慧停车平台，盘活错时停车资源。"
        ),
        "toilets": register(session, "关于推进旅游厕所提档升级的提案", "景区厕所数量不足、管理粗放。"),
        "childcare": register(session, "关于发展普惠托育服务的提案", "婴幼儿照护服务供给不足，价格偏高。"),
        "npc_parking": register(
            factories.session(body=Body.NPC, year=2025), "关于加快城区智慧停车系统建设的建议", "停车难。"
        ),
    }


def test_registering_a_proposal_indexes_it():
    p = register(factories.session(), "关于加快老旧小区改造的提案", "老旧小区设施陈旧。")
    keys = set(SimilarityGram.objects.filter(proposal=p).values_list("key", flat=True))
    assert keys == similar.keys_of(p.title, p.body)
    assert GramFrequency.objects.get(key=similar.TOTAL).count == 1


def test_a_reworded_title_finds_the_earlier_proposal_first(corpus):
    found = similar.similar(title="关于推进城区智慧停车系统建设工作的建议", body="建议建设全市智慧停车平台。")
    assert found[0][0] == corpus["parking"]
    assert corpus["toilets"] not in [p for p, _s in found]


def test_traditional_characters_find_the_simplified_proposal(corpus):
    found = similar.similar(title="關於加快城區智慧停車系統建設的提案", body="城區停車難，建議建設智慧停車平臺。")
    assert found[0][0] == corpus["parking"]
    assert found[0][1] > 0.8


def test_an_unrelated_subject_finds_nothing(corpus):
    assert similar.similar(title="关于加强候鸟栖息地保护的提案", body="湿地面积萎缩。") == []


def test_candidates_stay_in_the_same_body_and_never_include_the_proposal_itself(corpus):
    office = factories.office(body=Body.CPPCC)
    new = register(corpus["session"], "关于建设城区智慧停车系统的提案", "建议建设智慧停车平台。")
    found = [c["proposal"] for c in similar.candidates_for(new, user=office)]
    assert found == [corpus["parking"]]  # not the NPC suggestion, not itself


def test_candidates_are_only_what_the_user_may_see(corpus):
    outsider = factories.clerk(factories.unit())
    new = register(corpus["session"], "关于建设城区智慧停车系统的提案")
    assert similar.candidates_for(new, user=outsider) == []


def test_a_changed_title_is_indexed_again():
    p = register(factories.session(), "关于加快老旧小区改造的提案")
    p.title = "关于发展普惠托育服务的提案"
    p.save(update_fields=["title"])
    similar.index([p])
    assert similar.similar(title="关于发展普惠托育服务的建议")[0][0] == p
    assert similar.similar(title="关于加快老旧小区改造的建议") == []


def test_linking_records_it_on_both_timelines(corpus):
    office = factories.office(body=Body.CPPCC)
    new = register(corpus["session"], "关于建设城区智慧停车系统的提案")
    link = similar.link(proposal=new, other=corpus["parking"], kind=LinkKind.MERGED, by=office)
    assert (link.kind, link.created_by) == (LinkKind.MERGED, office)
    for p in (new, corpus["parking"]):
        event = Event.objects.filter(proposal=p, verb=EventVerb.MERGED).get()
        assert event.actor == office
    assert Event.objects.get(proposal=new, verb=EventVerb.MERGED).note.endswith("关于加快城区智慧停车系统建设的提案")
    # Linking the same pair again from the other side changes nothing.
    assert similar.link(proposal=corpus["parking"], other=new, kind=LinkKind.MERGED, by=office) == link
    assert ProposalLink.objects.count() == 1
    assert similar.linked(corpus["parking"])[new.pk] == link


def test_index_all_rebuilds_what_register_built(corpus):
    before = sorted(SimilarityGram.objects.values_list("proposal", "key"))
    counts = dict(GramFrequency.objects.values_list("key", "count"))
    similar.index_all()
    assert sorted(SimilarityGram.objects.values_list("proposal", "key")) == before
    assert dict(GramFrequency.objects.values_list("key", "count")) == counts
