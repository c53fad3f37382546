"""Contacts, co-handling opinions, drafting, 签发, review, issue, scan and 重办 through the pages."""

from django.urls import reverse

from replies.models import ParagraphTemplate
from tests.cast import WorkflowTestCase


class ParagraphTemplateTests(WorkflowTestCase):
    def test_a_clerk_keeps_templates_for_their_unit(self):
        url = reverse("replies:templates")
        self.as_user(self.clerk_x).post(url, {"title": "结束语", "body": "感谢关心。", "unit": self.unit_z.pk})
        template = ParagraphTemplate.objects.get()
        self.assertEqual(template.unit, self.unit_x)
        duplicate = self.as_user(self.clerk_x).post(url, {"title": "结束语", "body": "又一条"})
        self.assertContains(duplicate, "本单位已有同名模板")
        edit = reverse("replies:template_edit", args=[template.pk])
        self.assertEqual(self.as_user(self.clerk_z).get(edit).status_code, 404)
        self.assertEqual(
            self.as_user(self.clerk_z).post(reverse("replies:template_delete", args=[template.pk])).status_code, 404
        )
        self.assertEqual(self.as_user(self.office).get(url).status_code, 404)
        self.as_user(self.signer_x).post(edit, {"title": "结束语", "body": "衷心感谢。"})
        template.refresh_from_db()
        self.assertEqual(template.body, "衷心感谢。")
