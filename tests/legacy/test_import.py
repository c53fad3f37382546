"""import_replies: what each seed becomes in the database, and that the command is safe to repeat."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from feedback.models import Channel, Feedback, HandlingEffect
from legacy.models import ImportedDocument, ImportStatus
from legacy.services import import_document
from proposals.models import (
    Assignment,
    AssignmentStatus,
    Body,
    Event,
    EventVerb,
    HandlingUnit,
    Member,
    Proposal,
    ProposalStatus,
    Session,
)
from replies.models import ContactMethod, ContactRecord, Reply, ReplyStatus
from tests import factories

from . import samples

pytestmark = pytest.mark.django_db

MODELS = [Session, Member, HandlingUnit, Proposal, Assignment, Reply, ContactRecord, Feedback, ImportedDocument, Event]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def run(*args):
    out = io.StringIO()
    call_command("import_replies", *map(str, args), stdout=out)
    return out.getvalue()


def docx_of(path):
    from docx import Document

    document = Document()
    for line in path.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class TestSeed000:
    @pytest.fixture
    def doc(self):
        run(samples.SEED_000)
        return ImportedDocument.objects.get()

    def test_it_becomes_a_draft_reply_flagged_for_review(self, doc):
        assert doc.status == ImportStatus.NEEDS_REVIEW
        assert doc.file_name == "000_2c1618aac5cf80e6.txt"
        assert len(doc.sha256) == 64
        reply = doc.reply
        assert reply.status == ReplyStatus.DRAFT
        assert reply.title == "关于对《关于促进黄石市中小企业健康快速发展》提案的答复"
        assert reply.addressees == "程玮、王秋红、纪春明、陈惠群、王晓燕、郭盛桂、熊志红委员"
        assert reply.written_on == datetime.date(2021, 9, 6)
        assert reply.result_class == "A"
        assert (reply.contact_person, reply.contact_phone) == ("刘文明", "6288824")
        assert reply.closing_name == "黄石市经济和信息化局办公室"
        assert reply.paragraphs[1] == "一、支持企业转型"

    def test_proposal_members_and_unit(self, doc):
        proposal = doc.proposal
        assert proposal.number == "委员提案〔2021〕110号"
        assert proposal.serial == 110
        assert proposal.title == "关于促进黄石市中小企业健康快速发展的提案"
        assert proposal.session.year == 2021 and proposal.session.body == Body.CPPCC
        assert proposal.status == ProposalStatus.REPLIED
        assert [m.name for m in proposal.members_in_order] == [
            "程玮",
            "王秋红",
            "纪春明",
            "陈惠群",
            "王晓燕",
            "郭盛桂",
            "熊志红",
        ]
        unit = doc.reply.assignment.unit
        assert (unit.name, unit.short_name, unit.letterhead) == (
            "黄石市经济和信息化局",
            "市经信局",
            "湖北省黄石市经济和信息化局",
        )
        assert doc.reply.assignment.status == AssignmentStatus.REPLIED
        assert proposal.events.get(assignment=None).verb == EventVerb.IMPORTED

    def test_the_ambiguous_paper_form_is_flagged_not_resolved(self, doc):
        form = Feedback.objects.get()
        assert form.reply == doc.reply
        assert form.member.name == "程玮"
        assert form.channel == Channel.PAPER
        assert form.satisfaction == ""
        assert form.handling_effect == HandlingEffect.SOLVED
        assert form.methods == [ContactMethod.VISIT]
        assert form.publish_consent is None
        assert form.opinion == "工作已推进 措施得力"
        assert "“办理评价”同时勾选了“满意”和“不满意”" in form.needs_attention


def test_seed_002_district_reply():
    run(samples.SEED_002)
    reply = ImportedDocument.objects.get().reply
    assert reply.addressees == "何昕委员"
    assert reply.assignment.proposal.lead.name == "何昕"
    assert reply.assignment.proposal.title == "关于“产业强区推动惠济区高质量发展”的提案"
    assert reply.assignment.unit.name == "惠济区科技和工业信息化局"
    assert reply.written_on == datetime.date(2023, 5, 15)
    assert reply.result_class == ""


def test_seed_004_phone_and_wechat_contact_becomes_a_contact_record():
    run(samples.SEED_004)
    contact = ContactRecord.objects.get()
    assert contact.contacted_on == datetime.date(2021, 7, 30)
    assert contact.method == ContactMethod.PHONE
    assert "电话、微信沟通" in contact.summary
    doc = ImportedDocument.objects.get()
    assert contact.assignment == doc.reply.assignment
    # No name and no unit in the portal copy: placeholders a reviewer must replace.
    assert doc.proposal.lead.name == "姓名待核实"
    assert doc.reply.assignment.unit.short_name == "待核实单位"
    assert doc.proposal.session.year == 2021


def test_importing_the_same_file_twice_creates_nothing_new():
    run(samples.SEED_000)
    before = counts()
    output = run(samples.SEED_000)
    assert "已导入过" in output
    assert counts() == before


def test_a_gb18030_copy_reads_the_same_and_matches_the_records(tmp_path):
    run(samples.SEED_002)
    copy = tmp_path / "002_gb18030.txt"
    copy.write_bytes(samples.SEED_002.read_text(encoding="utf-8").encode("gb18030"))
    before = counts()
    run(copy)
    first, second = ImportedDocument.objects.order_by("pk")
    assert second.encoding == "gb18030"
    # The same reading, except that the unit the first import created is now a known unit.
    assert {k: v for k, v in second.extracted.items() if k != "unit"} == {
        k: v for k, v in first.extracted.items() if k != "unit"
    }
    assert second.field("unit")["value"]["name"] == first.field("unit")["value"]["name"]
    assert (first.field("unit")["confidence"], second.field("unit")["confidence"]) == ("medium", "high")
    assert second.reply == first.reply  # matched by unit and date: no second reply
    assert counts() == before | {"ImportedDocument": before["ImportedDocument"] + 1}


def test_a_docx_of_seed_002_gives_the_same_result_as_the_text(tmp_path):
    path = tmp_path / "002.docx"
    path.write_bytes(docx_of(samples.SEED_002))
    from_docx = import_document(file_name=path.name, data=path.read_bytes(), dry_run=True)
    from_text = import_document(file_name="002.txt", data=samples.SEED_002.read_bytes(), dry_run=True)
    assert from_docx.encoding == "docx"
    assert from_docx.fields == from_text.fields
    assert from_docx.status == "would_import"


def test_a_docx_with_the_feedback_form_as_a_table(tmp_path):
    from docx import Document

    document = Document()
    table = document.add_table(rows=3, cols=2)
    rows = [
        ("代表姓名", "王秋红"),
        ("办理评价", "满意 (√) 基本满意 () 不满意 ()"),
        ("对办理情况的意见：", "满意"),
    ]
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = label, value
    for line in samples.NPC_VARIANT.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    outcome = import_document(file_name="npc.docx", data=buffer.getvalue(), dry_run=True)
    form = outcome.fields["feedback_form"]["value"]
    assert form["member"] == "王秋红"
    assert form["satisfaction"] == ["满意"]
    assert outcome.fields["proposal_number"]["value"]["normalized"] == "第179号"


def test_dry_run_writes_nothing(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(samples.WORK_REPORT, encoding="utf-8")
    before = counts()
    output = run(samples.SEED_000, samples.SEED_002, samples.SEED_004, "--dry-run")
    assert output.count("可导入（试运行）") == 3
    with pytest.raises(CommandError, match="1 个文件未导入"):
        run(report, "--dry-run")
    assert counts() == before


def test_json_prints_one_object_per_document_with_a_confidence_per_field():
    output = run(samples.SEED_000, samples.SEED_004, "--json", "--dry-run")
    objects = [json.loads(line) for line in output.splitlines()]
    assert [o["file"] for o in objects] == ["000_2c1618aac5cf80e6.txt", "004_425556da689228ab.txt"]
    first = objects[0]
    assert set(first) >= {"file", "path", "sha256", "status", "message", "encoding", "fields", "records"}
    assert first["status"] == "would_import"
    number = first["fields"]["proposal_number"]
    assert number["value"] == {
        "printed": "委员提案〔2021〕110号",
        "normalized": "委员提案〔2021〕110号",
        "year": 2021,
        "serial": 110,
    }
    assert (number["confidence"], number["source"]) == ("high", "征询意见表、正文")
    source = samples.SEED_000.read_text(encoding="utf-8")
    # Where it was read: the form's cell and the letter's "（委员提案[2021]110号）".
    assert [source[a:b] for a, b in number["spans"]] == ["委员提案〔2021〕110号", "委员提案[2021]110号"]
    assert first["fields"]["session"] == {"value": None, "confidence": "missing"}
    recognition = first["fields"].pop("recognition")
    assert recognition["kind"] == "reply" and recognition["score"] >= 5
    for field in first["fields"].values():
        assert field["confidence"] in {"high", "medium", "low", "missing"}
    assert first["records"]["proposal"]["action"] == "created"
    assert objects[1]["fields"]["contacts"]["value"][0]["date"] == "2021-07-30"


def test_a_work_report_is_refused_with_the_reason(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(samples.WORK_REPORT, encoding="utf-8")
    with pytest.raises(CommandError):
        output = run(report)
    doc = ImportedDocument.objects.get()
    assert doc.status == ImportStatus.REFUSED
    assert doc.refusal_reason.startswith("这不是答复函，未导入：它像是一份工作报告")
    assert doc.reply is None and Reply.objects.count() == 0 and Proposal.objects.count() == 0
    output = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_replies", str(report), "--json", stdout=output)
    assert json.loads(output.getvalue())["status"] == "already_imported"


def test_unreadable_files_get_clear_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * (10 * 1024 * 1024))
    output = io.StringIO()
    with pytest.raises(CommandError, match="3 个文件未导入"):
        call_command("import_replies", str(empty), str(binary), str(huge), "--json", stdout=output)
    messages = [json.loads(line)["message"] for line in output.getvalue().splitlines()]
    assert messages == [
        "文件是空的（0 字节）。",
        "这不是文本文件（含有二进制内容）；请上传 .txt 或 .docx。",
        "文件太大（10.0 MB），上限为 5 MB；一份答复函通常只有几十 KB。",
    ]
    assert ImportedDocument.objects.count() == 0


def test_existing_records_are_matched_by_number_and_name():
    session = factories.session(body=Body.CPPCC, name="黄石市政协十三届五次会议", year=2021)
    chengwei = factories.member(name="程玮")
    proposal = factories.proposal(session=session, lead=chengwei, serial=110, number="委员提案〔2021〕110号")
    unit = factories.unit(name="黄石市经济和信息化局", short_name="市经信局")
    before = counts()
    run(samples.SEED_000)
    doc = ImportedDocument.objects.get()
    assert doc.proposal == proposal
    assert doc.reply.assignment.unit == unit
    assert Member.objects.filter(name="程玮").count() == 1
    assert Proposal.objects.count() == before["Proposal"]
    assert Session.objects.count() == before["Session"]
    # The six co-signers were not on file yet; they are created, the proposal left as registered.
    assert Member.objects.count() == before["Member"] + 6
    assert "proposals.proposal" not in doc.created_records


def test_on_the_demo_data_every_seed_matches_what_is_already_there():
    call_command("load_demo", stdout=io.StringIO())
    before = counts()
    output = run(samples.SEED_000, samples.SEED_002, samples.SEED_004)
    assert output.count("与已有记录全部匹配，未新建记录") == 3
    after = counts()
    assert after == before | {"ImportedDocument": 3}
    ankang = ImportedDocument.objects.get(file_name="004_425556da689228ab.txt")
    assert ankang.proposal.title == "关于扶持本土企业打造本地品牌的提案"  # the letter says "…品牌建议"
    assert ankang.reply.assignment.unit.short_name == "安康市工信局"
    assert ankang.reply.status == ReplyStatus.ISSUED
