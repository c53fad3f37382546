"""The public disclosure pages: open without login, and only what may be published."""

from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from feedback.models import Channel
from feedback.services import publish_if_agreed
from proposals.models import Body
from replies.models import Publication, ReplyStatus
from supervision.public import redact
from tests import factories as f

BODY = "现答复如下：\n一、基本情况\n如有疑问请致电13912345678或0714-6288824，邮箱 office@example.gov.cn，微信号：hs_jx2021。\n二、投入资金12000000元，惠及1234567人。"


class PublicDisclosureTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        unit = f.unit(name="黄石市经济和信息化局", short_name="市经信局", disclosure_code="011043170")
        s = f.session(Body.CPPCC)

        def reply(title, publication=Publication.PUBLIC, consent=True, status=ReplyStatus.ISSUED):
            """An issued reply with one feedback form saying 是否公开 = consent ("none": no form at all)."""
            p = f.proposal(s, title=title)
            r = f.reply(
                f.assignment(p, unit),
                status=status,
                title=title,
                body=BODY,
                publication=publication,
                contact_person="刘文明",
                contact_phone="6288824",
            )
            if status == ReplyStatus.ISSUED and consent != "none":
                f.feedback(r, publish_consent=consent)
                publish_if_agreed(reply=r)  # as submitting the form does
            return r

        cls.public = reply("关于公开答复的答复")
        cls.refused = reply("关于委员不同意公开的答复", consent=False)
        cls.unanswered = reply("关于没有表态的答复", consent="none")
        cls.on_request = reply("关于依申请公开的答复", publication=Publication.ON_REQUEST)
        cls.private = reply("关于不予公开的答复", publication=Publication.PRIVATE)
        cls.draft = reply("关于草稿的答复", status=ReplyStatus.DRAFT)
        # Two members answer (every co-signer gives feedback): one agreed, one left 是否公开 blank on
        # paper: not published.
        with override_settings(BANLI_FEEDBACK_FROM="all"):
            split = f.proposal(s, title="关于两位委员意见不一的答复", cosigners=[f.member()])
            cls.split = f.reply(f.assignment(split, unit), title=split.title, body=BODY)
            f.feedback(cls.split, publish_consent=True)
            publish_if_agreed(reply=cls.split)
            f.feedback(cls.split, split.cosigner_links.get().member, channel=Channel.PAPER, publish_consent=None)
            publish_if_agreed(reply=cls.split)

    def test_anonymous_visitor_sees_only_consented_public_replies(self):
        response = self.client.get(reverse("supervision:public"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "关于公开答复的答复")
        for hidden in ("不同意公开", "没有表态", "依申请公开的答复", "不予公开的答复", "草稿", "意见不一"):
            self.assertNotContains(response, hidden)
        # The 索引号 was given at publication, from the scheme: the unit's code, the year, its serial.
        self.assertContains(response, f"011043170/{timezone.localdate().year}-00001")
        self.assertContains(response, "黄石市经济和信息化局")
        self.assertContains(response, "主动公开")

    def test_detail_redacts_phones_and_contact_details(self):
        response = self.client.get(reverse("supervision:public_detail", args=[self.public.pk]))
        self.assertContains(response, "基本情况")
        for secret in ("13912345678", "6288824", "office@example.gov.cn", "hs_jx2021"):
            self.assertNotContains(response, secret)
        self.assertContains(response, "[已隐去]")
        self.assertContains(response, "12000000元")  # amounts are not phone numbers

    def test_detail_of_anything_else_is_404(self):
        for reply in (self.refused, self.unanswered, self.on_request, self.private, self.draft, self.split):
            response = self.client.get(reverse("supervision:public_detail", args=[reply.pk]))
            self.assertEqual(response.status_code, 404, reply.title)

    def test_search_stays_within_the_published(self):
        response = self.client.get(reverse("supervision:public"), {"q": "答复"})
        self.assertEqual([i["pk"] for i in response.context["items"]], [self.public.pk])
        response = self.client.get(reverse("supervision:public"), {"q": "不予公开"})
        self.assertEqual(response.context["items"], [])

    def test_searching_for_a_hidden_phone_number_finds_nothing(self):
        for q in ("13912345678", "6288824", "office@example.gov.cn"):
            response = self.client.get(reverse("supervision:public"), {"q": q})
            self.assertEqual(response.context["items"], [], q)

    def test_nothing_else_is_open_without_login(self):
        for url in (reverse("supervision:dashboard"), reverse("supervision:search"), reverse("proposals:list")):
            self.assertEqual(self.client.get(url).status_code, 302, url)


def test_redact_keeps_dates_and_document_numbers():
    assert redact("黄经信函〔2021〕45号，2021年9月6日") == "黄经信函〔2021〕45号，2021年9月6日"
    assert redact("联系电话：6288824") == "联系电话：[已隐去]"
    assert redact("手机 139 1234 5678") == "手机 [已隐去]"
