"""The cast of the workflow tests: one proposal, a lead unit X, a co-handling unit Y, and a stranger unit Z."""

import datetime

from django.test import TestCase
from django.utils import timezone

from proposals.models import AssignmentRole, AssignmentStatus, Body
from tests import factories as f


class WorkflowTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.today = timezone.localdate()
        cls.session = f.session(Body.CPPCC, reply_days=90, co_opinion_days=30, redo_days=30)
        cls.npc_session = f.session(Body.NPC)
        cls.unit_x = f.unit(
            "X市经济和信息化局", "X局", doc_prefix="X经信函", contact_person="刘文明", contact_phone="6288824"
        )
        cls.unit_y = f.unit("Y市财政局", "Y局")
        cls.unit_z = f.unit("Z市教育局", "Z局")
        cls.member_user, cls.alice = f.member_user("程玮")
        cls.bob = f.member(name="王秋红")
        cls.proposal = f.proposal(
            cls.session, lead=cls.alice, cosigners=[cls.bob], title="关于促进中小企业健康快速发展的提案"
        )
        assigned_on = cls.today - datetime.timedelta(days=10)
        cls.lead = f.assignment(cls.proposal, cls.unit_x, assigned_on=assigned_on)
        cls.co = f.assignment(cls.proposal, cls.unit_y, AssignmentRole.CO, assigned_on=assigned_on)
        cls.other = f.assignment(f.proposal(cls.session, title="关于Z局事项的提案"), cls.unit_z)
        cls.clerk_x = f.clerk(cls.unit_x, username="clerk_x")
        cls.signer_x = f.signer(cls.unit_x, username="signer_x")
        cls.clerk_y = f.clerk(cls.unit_y, username="clerk_y")
        cls.clerk_z = f.clerk(cls.unit_z, username="clerk_z")
        cls.office = f.office(Body.CPPCC, username="office")
        cls.office_npc = f.office(Body.NPC, username="office_npc")
        cls.supervisor = f.supervisor(username="supervisor")
        cls.stranger = f.user("stranger")

    def as_user(self, user):
        self.client.force_login(user)
        return self.client

    def set_status(self, obj, status, **fields):
        obj.status = status
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
        return obj

    def handling(self, assignment=None):
        """The assignment after 签收."""
        return self.set_status(assignment or self.lead, AssignmentStatus.HANDLING, signed_for_on=self.today)


BODY = "现答复如下：\n一、基本情况\n正在推进。"


def paragraph_fields(paragraphs):
    """The paragraph editor's posted lists for [(level, heading, text)]."""
    return {
        "para_level": [level for level, _h, _t in paragraphs],
        "para_heading": [heading for _l, heading, _t in paragraphs],
        "para_text": [text for _l, _h, text in paragraphs],
    }


def body_fields(text):
    """The paragraph editor's posted lists for a body written one paragraph a line."""
    from replies import body

    return paragraph_fields([(p["level"], p["heading"], p["text"]) for p in body.paragraphs_from_text(text)])


def reply_data(reply=None, **overrides):
    """The drafting form as posted; `body=` (one paragraph a line) becomes the paragraph editor's lists."""
    data = {
        "title": "关于对《关于促进中小企业健康快速发展》提案的答复",
        "addressees": "程玮、王秋红委员",
        "result_class": "A",
        "signer": "",
        "written_on": "2026-09-06",
        "closing_name": "X市经济和信息化局",
        "contact_person": "刘文明",
        "contact_phone": "6288824",
        "cc": "",
        "publication": "public",
        "version": reply.version if reply else 1,
    }
    data.update(body_fields(overrides.pop("body", BODY)))
    data.update(overrides)
    return data
