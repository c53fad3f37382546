"""The upload and review pages: who may use them, and what a reviewer's correction changes."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from legacy.models import ImportedDocument, ImportStatus
from legacy.services import import_document
from proposals.models import Body, Event, EventVerb, Member, Proposal, SimilarityGram
from replies.models import ContactRecord, DocNumber, Reply, ReplyStatus
from tests import factories

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    office = factories.office(body=Body.CPPCC, username="office")
    unit = factories.unit(name="安康市工业和信息化局", short_name="安康市工信局")
    member_user, _ = factories.member_user(name="程玮", username="member")
    return {
        "office": office,
        "office_npc": factories.office(body=Body.NPC, username="office_npc"),
        "supervisor": factories.supervisor(username="supervisor"),
        "clerk": factories.clerk(unit, username="clerk"),
        "member": member_user,
        "unit": unit,
    }


def imported(path, user=None):
    return import_document(file_name=path.name, data=path.read_bytes(), user=user).document


def login(client, user):
    client.force_login(user)
    return client


class TestAccess:
    def test_office_and_supervisor_see_the_import_list(self, client, cast):
        for who in ("office", "office_npc", "supervisor"):
            assert login(client, cast[who]).get(reverse("legacy:list")).status_code == 200

    def test_clerk_and_member_get_404(self, client, cast):
        for who in ("clerk", "member"):
            assert login(client, cast[who]).get(reverse("legacy:list")).status_code == 404

    def test_review_page_is_for_the_documents_body_office_and_the_supervisor(self, client, cast):
        doc = imported(samples.SEED_000)
        url = doc.get_absolute_url()
        assert login(client, cast["office"]).get(url).status_code == 200
        assert login(client, cast["supervisor"]).get(url).status_code == 200
        for who in ("office_npc", "clerk", "member"):
            assert login(client, cast[who]).get(url).status_code == 404

    def test_clerk_cannot_upload_or_refuse(self, client, cast):
        doc = imported(samples.SEED_002)
        login(client, cast["clerk"])
        upload = SimpleUploadedFile("004.txt", samples.SEED_004.read_bytes())
        assert client.post(reverse("legacy:upload"), {"files": [upload]}).status_code == 404
        assert client.post(reverse("legacy:refuse", args=[doc.pk]), {"reason": "x"}).status_code == 404
        assert ImportedDocument.objects.count() == 1
        doc.refresh_from_db()
        assert doc.status == ImportStatus.NEEDS_REVIEW

    def test_list_queries_do_not_grow_with_documents(self, client, cast):
        login(client, cast["supervisor"])
        imported(samples.SEED_000)
        with CaptureQueriesContext(connection) as one:
            client.get(reverse("legacy:list"))
        imported(samples.SEED_002)
        imported(samples.SEED_004)
        with CaptureQueriesContext(connection) as three:
            response = client.get(reverse("legacy:list"))
        assert len(response.context["documents"]) == 3
        assert len(three) == len(one)


class TestUpload:
    def test_office_uploads_a_reply_and_lands_on_its_review_page(self, client, cast):
        login(client, cast["office"])
        upload = SimpleUploadedFile("000.txt", samples.SEED_000.read_bytes())
        response = client.post(reverse("legacy:upload"), {"files": [upload]})
        doc = ImportedDocument.objects.get()
        assert response.status_code == 302 and response.url == doc.get_absolute_url()
        assert doc.uploaded_by == cast["office"]
        page = client.get(doc.get_absolute_url()).content.decode()
        assert "委员提案〔2021〕110号" in page
        assert "“办理评价”同时勾选了“满意”和“不满意”" in page
        assert "湖北省黄石市经济和信息化局" in page  # the source text, shown next to the fields
        assert "生成的记录" in page and "委员提案〔2021〕110号 → 市经信局（主办）" in page

    def test_several_files_with_errors_and_refusals_are_reported_one_by_one(self, client, cast):
        login(client, cast["supervisor"])
        files = [
            SimpleUploadedFile("002.txt", samples.SEED_002.read_bytes()),
            SimpleUploadedFile("empty.txt", b""),
            SimpleUploadedFile("news.txt", samples.NEWS_PAGE.encode()),
        ]
        response = client.post(reverse("legacy:upload"), {"files": files}, follow=True)
        page = response.content.decode()
        assert "002.txt：已导入为待核实的答复草稿。" in page
        assert "empty.txt：文件是空的（0 字节）。" in page
        assert "news.txt：这不是答复函，未导入：它像是一篇新闻稿" in page
        assert sorted(ImportedDocument.objects.values_list("status", flat=True)) == ["needs_review", "refused"]

    def test_no_file_chosen(self, client, cast):
        response = login(client, cast["office"]).post(reverse("legacy:upload"), {})
        assert response.status_code == 200
        assert "请选择要导入的文件。" in response.content.decode()


class TestReview:
    @pytest.fixture
    def doc(self, cast):
        return imported(samples.SEED_004, user=cast["office"])

    def form_data(self, doc, **changes):
        reply = doc.reply
        data = {
            "proposal_title": doc.proposal.title,
            "proposal_number": doc.proposal.number,
            "addressees": reply.addressees,
            "unit": reply.assignment.unit_id,
            "reply_title": reply.title,
            "doc_number": reply.doc_number,
            "written_on": "",
            "result_class": "",
            "contact_person": "",
            "contact_phone": "",
            "body": reply.body,
            "action": "save",
        }
        data.update(changes)
        return data

    def test_a_correction_updates_the_draft_reply_and_the_proposal(self, client, cast, doc):
        login(client, cast["office"])
        data = self.form_data(
            doc,
            proposal_title="关于扶持本土企业打造本地品牌的提案",
            addressees="王秋红委员",
            unit=cast["unit"].pk,
            written_on="2021-08-16",
            result_class="B",
        )
        response = client.post(doc.get_absolute_url(), data)
        assert response.status_code == 302
        doc.refresh_from_db()
        reply = Reply.objects.get(pk=doc.reply_id)
        assert reply.written_on == datetime.date(2021, 8, 16)
        assert reply.result_class == "B"
        assert reply.addressees == "王秋红委员"
        assert reply.assignment.unit == cast["unit"]
        proposal = Proposal.objects.get(pk=doc.proposal_id)
        assert proposal.title == "关于扶持本土企业打造本地品牌的提案"
        assert proposal.lead.name == "王秋红"
        assert Event.objects.filter(proposal=proposal, verb=EventVerb.IMPORT_CORRECTED).exists()
        assert doc.status == ImportStatus.NEEDS_REVIEW
        # Similar proposals are found by the corrected title.
        from proposals import similar

        assert similar.keys_of(proposal.title, proposal.body) == set(
            SimilarityGram.objects.filter(proposal=proposal).values_list("key", flat=True)
        )

    def test_confirming_records_who_reviewed(self, client, cast, doc):
        login(client, cast["supervisor"])
        response = client.post(doc.get_absolute_url(), self.form_data(doc, action="confirm"))
        assert response.status_code == 302
        doc.refresh_from_db()
        assert doc.status == ImportStatus.CONFIRMED
        assert doc.reviewed_by == cast["supervisor"]
        assert doc.reviewed_at is not None

    def test_errors_are_shown_next_to_the_field_with_the_input_kept(self, client, cast, doc):
        login(client, cast["office"])
        response = client.post(doc.get_absolute_url(), self.form_data(doc, addressees="", reply_title="新的标题"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "这个字段是必填项。" in page or "请写出至少一位" in page
        assert 'value="新的标题"' in page
        assert Reply.objects.get(pk=doc.reply_id).title != "新的标题"

    def test_a_doc_number_another_letter_bears_is_refused_at_confirmation(self, client, cast, doc):
        # The unit gave 安工信函〔2021〕7号 from this system's register; the imported letter claims it too.
        other = factories.reply(
            factories.assignment(factories.proposal(factories.session(Body.CPPCC)), cast["unit"]),
            doc_number="安工信函〔2021〕7号",
        )
        DocNumber.objects.create(unit=cast["unit"], year=2021, serial=7, number=other.doc_number, reply=other)
        login(client, cast["office"])
        response = client.post(
            doc.get_absolute_url(), self.form_data(doc, doc_number="安工信函〔2021〕7号", action="confirm")
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "文号“安工信函〔2021〕7号”已由另一份答复函使用，请与原件核对。" in page
        assert 'value="安工信函〔2021〕7号"' in page
        doc.refresh_from_db()
        assert doc.status == ImportStatus.NEEDS_REVIEW
        # Read against the paper, the reviewer writes the number the letter bears.
        response = client.post(
            doc.get_absolute_url(), self.form_data(doc, doc_number="安工信函〔2021〕17号", action="confirm")
        )
        assert response.status_code == 302
        assert Reply.objects.get(pk=doc.reply_id).doc_number == "安工信函〔2021〕17号"

    def test_an_issued_reply_that_was_matched_is_not_edited(self, client, cast):
        session = factories.session(body=Body.CPPCC, name="惠济区政协2023年会议", year=2023)
        hexin = factories.member(name="何昕")
        proposal = factories.proposal(session=session, lead=hexin, title="关于“产业强区推动惠济区高质量发展”的提案")
        unit = factories.unit(name="惠济区科技和工业信息化局", short_name="区科工信局")
        assignment = factories.assignment(proposal, unit)
        issued = factories.reply(assignment, written_on=datetime.date(2023, 5, 15), title="原标题")
        doc = imported(samples.SEED_002)
        assert doc.reply == issued
        login(client, cast["office"])
        data = self.form_data(doc, reply_title="改过的标题", proposal_title="改过的案由")
        client.post(doc.get_absolute_url(), data)
        issued.refresh_from_db()
        proposal.refresh_from_db()
        assert issued.title == "原标题" and issued.status == ReplyStatus.ISSUED
        assert proposal.title == "关于“产业强区推动惠济区高质量发展”的提案"

    def test_refusing_removes_what_the_import_created(self, client, cast, doc):
        login(client, cast["office"])
        response = client.post(reverse("legacy:refuse", args=[doc.pk]), {"reason": "这是转载的网页，不是原件"})
        assert response.status_code == 302
        doc.refresh_from_db()
        assert doc.status == ImportStatus.REFUSED
        assert doc.refusal_reason == "这是转载的网页，不是原件"
        assert Reply.objects.count() == 0
        assert Proposal.objects.count() == 0
        assert ContactRecord.objects.count() == 0
        assert not Member.objects.filter(name="姓名待核实").exists()

    def test_refusing_needs_a_reason(self, client, cast, doc):
        login(client, cast["office"])
        response = client.post(reverse("legacy:refuse", args=[doc.pk]), {"reason": ""}, follow=True)
        assert "请写明原因" in response.content.decode()
        doc.refresh_from_db()
        assert doc.status == ImportStatus.NEEDS_REVIEW


def test_a_ten_megabyte_upload_is_refused_with_its_real_size(client, cast):
    login(client, cast["office"])
    huge = SimpleUploadedFile("huge.txt", b"a" * (10 * 1024 * 1024))
    response = client.post(reverse("legacy:upload"), {"files": [huge]}, follow=True)
    assert "huge.txt：文件太大（10.0 MB），上限为 5 MB" in response.content.decode()
    assert ImportedDocument.objects.count() == 0


class TestSourceSpans:
    def test_the_review_page_marks_where_each_field_was_read(self, client, cast):
        doc = imported(samples.SEED_000, user=cast["office"])
        page = login(client, cast["office"]).get(doc.get_absolute_url()).content.decode()
        # The unit from both places it is named: the letterhead and the closing.
        assert '<mark class="hl hl-5" title="承办单位" id="src-unit">湖北省黄石市经济和信息化局</mark>' in page
        assert '<mark class="hl hl-5" title="承办单位">黄石市经济和信息化局办公室</mark>' in page
        assert 'title="成文日期" id="src-reply_date">2021年9月6日</mark>' in page
        assert 'href="#src-proposal_number"' in page
        # The evidence for "this is a reply", with its weights.
        assert "识别为：答复函" in page and "答复用语：“收悉”" in page

    def test_letter_text_in_the_source_stays_text(self, client, cast):
        data = "程玮委员：\n您提出的《关于<script>alert(1)</script>的提案》收悉，现答复如下：\n黄石市财政局\n2024年6月1日".encode()
        doc = import_document(file_name="x.txt", data=data, user=cast["office"]).document
        page = login(client, cast["office"]).get(doc.get_absolute_url()).content.decode()
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


class TestOpinionReview:
    @pytest.fixture
    def doc(self, cast):
        from .corpus import CORPUS

        path = CORPUS / "o01_co_opinion_traditional.txt"
        return import_document(file_name=path.name, data=path.read_bytes(), user=cast["office"]).document

    def test_an_opinion_is_confirmed_without_a_reply_form(self, client, cast, doc):
        login(client, cast["office"])
        page = client.get(doc.get_absolute_url()).content.decode()
        assert "识别为：会办意见" in page and 'name="reply_title"' not in page
        response = client.post(doc.get_absolute_url(), {"action": "confirm"})
        assert response.status_code == 302
        doc.refresh_from_db()
        assert doc.status == ImportStatus.CONFIRMED and doc.reviewed_by == cast["office"]

    def test_an_opinion_can_be_refused(self, client, cast, doc):
        login(client, cast["office"])
        client.post(reverse("legacy:refuse", args=[doc.pk]), {"reason": "不是本市的文件"})
        doc.refresh_from_db()
        assert doc.status == ImportStatus.REFUSED and doc.opinion is None
