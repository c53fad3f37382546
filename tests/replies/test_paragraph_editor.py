"""The body edited as paragraphs with levels: each paragraph's level, heading and text are saved
as typed and printed the same way on the page, in the PDF and in the DOCX; the editor's buttons
work without JavaScript (each posts the form and nothing is saved); user text stays literal."""

import io

from django.urls import reverse
from docx import Document

from printing import documents
from printing.docx import reply_docx
from replies.models import ParagraphTemplate, Reply
from tests import factories as f
from tests.cast import WorkflowTestCase, paragraph_fields, reply_data
from tests.printing import pdfutil

LETTER = [
    ("p", "", "现将办理情况答复如下："),
    ("h1", "一、支持企业转型", ""),
    ("h2", "（一）加大财税支持。", "制定出台扶持意见。"),
    ("h3", "1.淘汰落后产能。", "关停小企业多家。"),
    ("p", "", "感谢您对我市工作的关心和支持。"),
]


class ParagraphEditorTests(WorkflowTestCase):
    def setUp(self):
        self.handling()
        self.client = self.as_user(self.clerk_x)

    def create(self, paragraphs, **extra):
        url = reverse("replies:create", args=[self.lead.pk])
        return self.client.post(url, {**reply_data(), **paragraph_fields(paragraphs), **extra})

    def test_levels_round_trip_through_the_form(self):
        self.create(LETTER)
        reply = Reply.objects.get()
        self.assertEqual([(p["level"], p["heading"], p["text"]) for p in reply.body_paragraphs], LETTER)
        page = self.client.get(reverse("replies:edit", args=[reply.pk]))
        self.assertEqual(page.context["form"].rows, [dict(p) for p in reply.body_paragraphs])
        html = page.content.decode()
        self.assertIn('<option value="h2" selected>', html)
        self.assertIn('value="（一）加大财税支持。"', html)
        # edited again: the levels are what the selector says, not guessed from the numbering
        changed = [("p", "", "一、这一行虽以一、开头，仍是正文。"), *LETTER[1:]]
        self.client.post(reverse("replies:edit", args=[reply.pk]), {**reply_data(reply), **paragraph_fields(changed)})
        reply.refresh_from_db()
        self.assertEqual(reply.body_paragraphs[0], {"level": "p", "heading": "", "text": changed[0][2]})
        self.assertEqual(reply.body.splitlines()[0], changed[0][2])

    def test_the_page_the_pdf_and_the_docx_show_the_same_structure(self):
        self.create(LETTER)
        reply = Reply.objects.get()
        page = self.client.get(self.proposal.get_absolute_url()).content.decode()
        self.assertIn('<p class="para h1"><span class="heading">一、支持企业转型</span></p>', page)
        self.assertIn('<p class="para h3"><span class="heading">1.淘汰落后产能。</span>关停小企业多家。</p>', page)

        pdf = documents.reply_letter(reply).render()
        heading1 = pdfutil.fonts_of_text(pdf, 0, "一、支持企业转型")
        heading2 = pdfutil.fonts_of_text(pdf, 0, "（一）加大财税支持。")
        body = pdfutil.fonts_of_text(pdf, 0, "感谢您对我市工作的关心和支持")
        self.assertTrue(heading1 and heading2 and body)
        self.assertTrue(all("Sans" in name for name in heading1), heading1)  # 黑体
        self.assertFalse(heading2 & body)  # 楷体, not the body face
        self.assertTrue(all("Serif" in name for name in body), body)  # 仿宋's stand-in

        doc = Document(io.BytesIO(reply_docx(reply)))
        runs = {run.text: run for paragraph in doc.paragraphs for run in paragraph.runs}
        self.assertIn("Sans", runs["一、支持企业转型"].font.name)
        self.assertNotEqual(runs["（一）加大财税支持。"].font.name, runs["制定出台扶持意见。"].font.name)
        self.assertTrue(runs["1.淘汰落后产能。"].font.bold)  # the lead-in bold (the font has a bold face)
        self.assertFalse(runs["关停小企业多家。"].font.bold)

    def test_a_heading_level_without_a_heading_is_explained_at_its_paragraph(self):
        response = self.create([("p", "", "现答复如下："), ("h1", "", "忘了写标题的一段")])
        self.assertContains(response, "标题段落请填写标题")
        self.assertContains(response, "忘了写标题的一段")
        self.assertFalse(Reply.objects.exists())

    def test_an_empty_body_is_refused(self):
        response = self.create([("p", "", " "), ("h1", "", "")])
        self.assertContains(response, "请填写正文")
        self.assertFalse(Reply.objects.exists())

    def test_buttons_edit_the_list_without_javascript_and_save_nothing(self):
        def rows(response):
            return [(r["level"], r["heading"], r["text"]) for r in response.context["form"].rows]

        moved = self.create(LETTER, para_op="up:4")
        self.assertEqual(rows(moved), [*LETTER[:3], LETTER[4], LETTER[3]])
        self.assertContains(moved, reply_data()["title"])  # the rest of the form as typed
        added = self.create(LETTER, para_op="add:0")
        self.assertEqual(rows(added), [LETTER[0], ("p", "", ""), *LETTER[1:]])
        removed = self.create(LETTER, para_op="remove:1")
        self.assertEqual(rows(removed), [LETTER[0], *LETTER[2:]])
        down = self.create(LETTER, para_op="down:0")
        self.assertEqual(rows(down)[:2], [LETTER[1], LETTER[0]])
        pasted = self.create(LETTER[:1], para_op="paste", body_paste="二、下一步工作\n继续 推进 2026 年的工作。")
        self.assertEqual(rows(pasted), [LETTER[0], ("h1", "二、下一步工作", ""), ("p", "", "继续推进2026年的工作。")])
        self.assertNotContains(moved, "请填写正文")  # nothing checked yet
        self.assertFalse(Reply.objects.exists())

    def test_a_paragraph_template_is_added_from_the_units_own_only(self):
        own = ParagraphTemplate.objects.create(unit=self.unit_x, title="结束语", body="感谢您对我们工作的支持。")
        other = ParagraphTemplate.objects.create(unit=self.unit_z, title="别人的", body="Z局的模板。")
        response = self.create(LETTER[:1], para_op=f"tpl:{own.pk}")
        self.assertEqual(response.context["form"].rows[-1]["text"], "感谢您对我们工作的支持。")
        response = self.create(LETTER[:1], para_op=f"tpl:{other.pk}")
        self.assertEqual(len(response.context["form"].rows), 1)
        self.assertFalse(Reply.objects.exists())

    def test_an_edit_of_another_units_draft_is_refused(self):
        draft = f.reply(self.other)
        url = reverse("replies:edit", args=[draft.pk])
        response = self.client.post(url, {**reply_data(draft), **paragraph_fields(LETTER), "para_op": "up:1"})
        self.assertEqual(response.status_code, 404)

    def test_typed_markup_prints_literally(self):
        hostile = [
            ("h1", '一、#read("/etc/passwd")', ""),
            ("h2", "（一）$x^2$ *粗体*", '<label> @ref \\ #eval("1+1")'),
            ("h3", '1. #import "x.typ": *', '] #set page(paper: "a5") ['),
            ("p", "", "#{panic()} // 注释"),
        ]
        self.create(hostile)
        reply = Reply.objects.get()
        pdf = documents.reply_letter(reply).render()
        printed = pdfutil.squash("".join(pdfutil.page_texts(pdf)))
        for _level, heading, text in hostile:
            self.assertIn(pdfutil.squash(heading + text), printed)
        self.assertNotIn("root:", printed)
        page = self.client.get(self.proposal.get_absolute_url()).content.decode()
        self.assertIn("&lt;label&gt;", page)
