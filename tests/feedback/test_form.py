"""The online form: exactly the seed form's rows, one choice where the paper has one."""

import re

import pytest
from django.urls import reverse

from feedback.models import Feedback

from .conftest import form_data


def form_url(reply):
    return reverse("feedback:member_form", args=[reply.pk])


@pytest.fixture
def lead_client(client, cast):
    client.force_login(cast.lead_user)
    return client


def test_the_form_has_the_seed_forms_rows(lead_client, cast):
    page = lead_client.get(form_url(cast.reply)).content.decode()
    for label in (
        "沟通方式",
        "上门走访",
        "约见",
        "电话联系",
        "信函",
        "座谈会",
        "其他",
        "办理效果",
        "解决或基本解决",
        "正在解决",
        "以后解决",
        "无法解决",
        "办理评价",
        "满意",
        "基本满意",
        "不满意",
        "是否公开",
        "对办理情况的意见",
    ):
        assert label in page
    assert 'type="radio" name="satisfaction"' in page
    assert 'type="checkbox" name="methods"' in page


def test_two_ticks_for_satisfaction_are_refused_and_nothing_saved(lead_client, cast):
    response = lead_client.post(form_url(cast.reply), form_data(satisfaction=["satisfied", "dissatisfied"]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["satisfaction"] == ["只能选择一项"]
    assert "只能选择一项" in response.content.decode()
    assert not Feedback.objects.exists()


def test_two_ticks_for_effect_and_publish_are_refused_next_to_each_field(lead_client, cast):
    response = lead_client.post(
        form_url(cast.reply), form_data(handling_effect=["solved", "later"], publish_consent=["yes", "no"])
    )
    form = response.context["form"]
    assert form.errors["handling_effect"] == ["只能选择一项"]
    assert form.errors["publish_consent"] == ["只能选择一项"]
    assert "satisfaction" not in form.errors
    assert not Feedback.objects.exists()


def test_the_refused_form_keeps_the_members_input(lead_client, cast):
    response = lead_client.post(
        form_url(cast.reply), form_data(satisfaction=["satisfied", "dissatisfied"], opinion="保留我的话")
    )
    page = response.content.decode()
    assert "保留我的话" in page
    assert re.search(r'name="methods" value="phone"[^>]*checked', page)


@pytest.mark.parametrize(
    ("field", "message"),
    [("handling_effect", "请选择办理效果"), ("satisfaction", "请选择办理评价"), ("publish_consent", "请选择是否公开")],
)
def test_a_missing_choice_is_refused(lead_client, cast, field, message):
    data = form_data()
    del data[field]
    response = lead_client.post(form_url(cast.reply), data)
    assert response.context["form"].errors[field] == [message]
    assert not Feedback.objects.exists()


def test_at_least_one_method_is_required(lead_client, cast):
    data = form_data()
    del data["methods"]
    response = lead_client.post(form_url(cast.reply), data)
    assert response.context["form"].errors["methods"] == ["请至少选择一种沟通方式"]


def test_a_value_outside_the_choices_is_refused(lead_client, cast):
    response = lead_client.post(form_url(cast.reply), form_data(satisfaction="very_happy"))
    assert "satisfaction" in response.context["form"].errors
    assert not Feedback.objects.exists()


def test_dissatisfied_requires_an_opinion(lead_client, cast):
    response = lead_client.post(form_url(cast.reply), form_data(satisfaction="dissatisfied", opinion="   "))
    assert response.context["form"].errors["opinion"] == ["选择“不满意”时，请写明对办理情况的意见"]
    assert not Feedback.objects.exists()


def test_other_method_needs_its_text(lead_client, cast):
    response = lead_client.post(form_url(cast.reply), form_data(methods=["other"], other_method=""))
    assert "other_method" in response.context["form"].errors


def test_nul_bytes_are_refused(lead_client, cast):
    response = lead_client.post(form_url(cast.reply), form_data(opinion="前\x00后"))
    assert "opinion" in response.context["form"].errors
    assert not Feedback.objects.exists()


def test_twenty_thousand_characters_are_refused_with_a_message(lead_client, cast):
    response = lead_client.post(form_url(cast.reply), form_data(opinion="很" * 20_000))
    errors = response.context["form"].errors["opinion"]
    assert "不能超过 5000 字" in errors[0]
    assert not Feedback.objects.exists()


def test_emoji_and_markup_are_stored_exactly_and_shown_escaped(lead_client, cast):
    text = "满意👍🏽 <script>alert('x')</script> & 谢谢"
    response = lead_client.post(form_url(cast.reply), form_data(opinion=text), follow=True)
    feedback = Feedback.objects.get()
    assert feedback.opinion == text
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; 谢谢" in page
    assert "👍🏽" in page


def test_csrf_is_enforced(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.lead_user)
    response = client.post(form_url(cast.reply), form_data())
    assert response.status_code == 403
    assert not Feedback.objects.exists()
