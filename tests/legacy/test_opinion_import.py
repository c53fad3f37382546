"""A co-handling opinion (协办意见/会办意见 to the lead unit) is imported as the co-handling unit's
opinion on the proposal, never refused and never made into a reply to the members."""

import io

import pytest
from django.core.management import CommandError, call_command

from legacy.models import DocumentKind, ImportedDocument, ImportStatus
from legacy.services import import_document, refuse_import
from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Body, Event, EventVerb
from replies.models import CoHandlingOpinion, Reply
from tests import factories

from .corpus import CORPUS

pytestmark = pytest.mark.django_db

TRADITIONAL = CORPUS / "o01_co_opinion_traditional.txt"


@pytest.fixture
def existing():
    """The proposal the opinion is about, already registered and assigned to its lead unit."""
    session = factories.session(body=Body.CPPCC, name="东莞市政协十三届二次会议", year=2021)
    proposal = factories.proposal(session=session, serial=118, number="第118号", title="关于优化城区公交线网的提案")
    lead = factories.unit(name="东莞市交通运输局", short_name="市交通运输局")
    factories.assignment(proposal, lead)
    finance = factories.unit(name="东莞市财政局", short_name="市财政局")
    return {"proposal": proposal, "lead": lead, "finance": finance, "office": factories.office(body=Body.CPPCC)}


def test_a_traditional_character_opinion_becomes_the_co_units_opinion(existing):
    outcome = import_document(file_name=TRADITIONAL.name, data=TRADITIONAL.read_bytes(), user=existing["office"])
    assert outcome.status == "imported"
    assert "会办意见" in outcome.message
    doc = outcome.document
    assert (doc.kind, doc.status) == (DocumentKind.OPINION, ImportStatus.NEEDS_REVIEW)
    opinion = doc.opinion
    assert opinion.assignment.proposal == existing["proposal"]
    assert (opinion.assignment.unit, opinion.assignment.role) == (existing["finance"], AssignmentRole.CO)
    assert opinion.assignment.status == AssignmentStatus.REPLIED
    # Stored as written: traditional characters, for the lead unit to read.
    assert opinion.body.startswith("貴局主辦的市政協十三屆二次會議第118號提案")
    assert (opinion.contact_person, opinion.contact_phone) == ("郑丽华", "0769-22801234")
    assert opinion.submitted_by == existing["office"]
    assert str(opinion.submitted_at.date()) == "2021-05-10"
    assert doc.records["lead_unit"]["id"] == existing["lead"].pk
    assert Reply.objects.count() == 0
    assert Event.objects.filter(proposal=existing["proposal"], verb=EventVerb.CO_OPINION).count() == 1


def test_refusing_the_import_takes_the_opinion_and_its_assignment_back(existing):
    doc = import_document(file_name=TRADITIONAL.name, data=TRADITIONAL.read_bytes(), user=existing["office"]).document
    refuse_import(document=doc, user=existing["office"], reason="重复导入")
    assert CoHandlingOpinion.objects.count() == 0
    assert list(Assignment.objects.values_list("unit", flat=True)) == [existing["lead"].pk]
    assert ImportedDocument.objects.get().status == ImportStatus.REFUSED


def test_an_opinion_needs_someone_to_record_it_as_imported_by(existing, tmp_path):
    output = io.StringIO()
    with pytest.raises(CommandError, match="1 个文件未导入"):
        call_command("import_replies", str(TRADITIONAL), stdout=output)
    assert "--user" in output.getvalue()
    assert CoHandlingOpinion.objects.count() == 0
    call_command("import_replies", str(TRADITIONAL), "--user", existing["office"].username, stdout=io.StringIO())
    assert CoHandlingOpinion.objects.count() == 1


def test_dry_run_prints_the_evidence_and_writes_nothing(existing):
    output = io.StringIO()
    call_command("import_replies", str(TRADITIONAL), "--dry-run", "--user", existing["office"].username, stdout=output)
    text = output.getvalue()
    assert "识别为：会办意见" in text
    assert "+3  主送一个单位：“市交通运输局”" in text
    assert CoHandlingOpinion.objects.count() == 0 and ImportedDocument.objects.count() == 0
