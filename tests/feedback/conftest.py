"""The cast for feedback tests: a proposal with a lead and a co-signer (both with accounts),
its lead unit with a clerk, the office of its body, an outsider member, and an issued reply."""

import base64
import io
from types import SimpleNamespace

import pytest
from PIL import Image, ImageDraw

from proposals.models import AssignmentStatus, Body
from tests import factories


def signature_png(size=(400, 150)):
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 100), (120, 30), (220, 110), (380, 40)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


def form_data(**overrides):
    data = {
        "methods": ["visit", "phone"],
        "other_method": "",
        "handling_effect": "solved",
        "satisfaction": "satisfied",
        "publish_consent": "yes",
        "opinion": "工作已推进，措施得力。",
        "signature_data": data_url(signature_png()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def cast(db):
    session = factories.session(body=Body.CPPCC)
    unit = factories.unit(email="unit@example.org")
    lead_user, lead = factories.member_user(name="程玮", username="chengwei")
    lead_user.email = "chengwei@example.org"
    lead_user.save()
    co_user, cosigner = factories.member_user(name="王秋红", username="wangqiuhong")
    co_user.email = "wang@example.org"
    co_user.save()
    outsider_user, outsider = factories.member_user(name="局外人", username="outsider")
    proposal = factories.proposal(session=session, lead=lead, cosigners=[cosigner], title="关于促进中小企业发展的提案")
    assignment = factories.assignment(proposal, unit, status=AssignmentStatus.REPLIED)
    reply = factories.reply(assignment)
    clerk = factories.clerk(unit, username="clerk")
    clerk.email = "clerk@example.org"
    clerk.save()
    other_unit = factories.unit()
    other_clerk = factories.clerk(other_unit, username="otherclerk")
    office = factories.office(body=Body.CPPCC, username="office")
    npc_office = factories.office(body=Body.NPC, username="office_npc")
    supervisor = factories.supervisor(username="supervisor")
    return SimpleNamespace(**locals())
