"""Forms of the replies app. Each names its fields; unit, status and round never come from a POST."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from proposals.forms import DateInput
from proposals.limits import LETTER as LETTER_LIMIT
from proposals.limits import REASON
from proposals.models import RoleKind

from . import body
from .models import CoHandlingOpinion, ContactRecord, ParagraphTemplate, Reply, ResultClass, contact_date_problem


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactRecord
        fields = ["contacted_on", "method", "participants", "summary"]
        widgets = {"contacted_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_contacted_on(self):
        day = self.cleaned_data["contacted_on"]
        if problem := contact_date_problem(self.assignment, day):
            raise forms.ValidationError(problem)
        return day


class NoteForm(forms.Form):
    note = forms.CharField(label=_("退回意见"), max_length=REASON, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("撤回理由"), required=False, max_length=REASON, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    result_class = forms.ChoiceField(label=_("答复类别"), choices=ResultClass.choices)


# The drafting page's paragraph editor posts three parallel lists, one entry per paragraph in
# the order shown (moving a paragraph moves its inputs), and a button names an edit of the list.
LEVEL, HEADING, TEXT = "para_level", "para_heading", "para_text"
OPERATION, PASTE = "para_op", "body_paste"


def posted_rows(data):
    """The paragraphs as posted: [{level, heading, text}], unchecked (at most MAX_PARAGRAPHS + 1)."""
    if data is None:
        return []
    limit = body.MAX_PARAGRAPHS + 1
    levels, headings, texts = (data.getlist(name)[:limit] for name in (LEVEL, HEADING, TEXT))
    count = max(len(levels), len(headings), len(texts))
    rows = []
    for i in range(count):
        level = levels[i] if i < len(levels) and levels[i] in body.LEVELS else body.P
        heading = headings[i] if i < len(headings) else ""
        text = texts[i] if i < len(texts) else ""
        rows.append(body.paragraph(level, heading, text))
    return rows


def edit_rows(rows, operation, *, paste="", templates=()):
    """The rows after one of the editor's buttons: add:N (a blank paragraph after N, or at the end),
    remove:N, up:N, down:N, paste (the pasted text split into paragraphs at the end), tpl:<pk> (a
    paragraph template at the end). An unknown operation leaves the rows as they are."""
    rows = [dict(row) for row in rows]
    name, _sep, arg = str(operation).partition(":")
    if name == "paste":
        rows = [row for row in rows if row["heading"].strip() or row["text"].strip()]
        rows += body.paragraphs_from_text(paste[:LETTER_LIMIT])
    elif name == "tpl":
        chosen = next((t for t in templates if str(t.pk) == arg), None)
        if chosen is not None:
            rows = [row for row in rows if row["heading"].strip() or row["text"].strip()]
            rows += body.paragraphs_from_text(chosen.body)
    elif name == "add":
        at = int(arg) + 1 if arg.isdigit() and int(arg) < len(rows) else len(rows)
        rows.insert(at, body.paragraph(body.P))
    elif arg.isdigit() and int(arg) < len(rows):
        i = int(arg)
        if name == "remove":
            rows.pop(i)
        elif name == "up" and i > 0:
            rows[i - 1], rows[i] = rows[i], rows[i - 1]
        elif name == "down" and i + 1 < len(rows):
            rows[i + 1], rows[i] = rows[i], rows[i + 1]
    return rows[: body.MAX_PARAGRAPHS]


class ReplyForm(forms.ModelForm):
    """The draft letter. `version` is the optimistic lock: a stale one leads to the conflict page.

    The body comes from the paragraph editor (`posted_rows`): each paragraph with its level, its
    heading (the part in the level's face) and its text; `rows` is what the editor shows."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Reply
        fields = [
            "title",
            "addressees",
            "result_class",
            "signer",
            "written_on",
            "closing_name",
            "contact_person",
            "contact_phone",
            "cc",
            "publication",
        ]
        widgets = {"written_on": DateInput()}

    def __init__(self, *args, assignment, rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        self.fields["signer"].queryset = User.objects.filter(
            banli_roles__kind=RoleKind.SIGNER, banli_roles__unit=assignment.unit
        ).distinct()
        self.fields["signer"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["signer"].empty_label = _("（签发时确定）")
        self.fields["result_class"].choices = [("", _("（待定）")), *ResultClass.choices]
        self.fields["version"].initial = self.instance.version
        self.fields["publication"].help_text = _(
            "主动公开的答复，须所有答复对象均同意公开后才会公开，并在公开时自动编排索引号。"
        )
        if rows is not None:
            self.rows = rows
        elif self.is_bound:
            self.rows = posted_rows(self.data)
        else:
            self.rows = [dict(p) for p in self.instance.structure] or [body.paragraph(body.P)]
        self.body_paragraphs = []

    def clean(self):
        """The paragraphs checked row by row (the error shown at its paragraph), then stored normalised."""
        cleaned = super().clean()
        if len(self.rows) > body.MAX_PARAGRAPHS:
            raise forms.ValidationError(
                _("正文最多 %(count)d 段，请合并段落。") % {"count": body.MAX_PARAGRAPHS}, code="paragraphs"
            )
        problems = 0
        for row in self.rows:
            row["error"] = self._row_problem(row)
            if row["error"]:
                problems += 1
        if problems:
            raise forms.ValidationError(_("正文有 %(count)d 段需要修改，见各段下方的提示。") % {"count": problems})
        self.body_paragraphs = body.normalise(self.rows)
        if not self.body_paragraphs:
            raise forms.ValidationError(_("请填写正文。"), code="empty")
        if len(body.plain_text(self.body_paragraphs)) > LETTER_LIMIT:
            raise forms.ValidationError(_("正文不能超过 %(count)d 字。") % {"count": LETTER_LIMIT}, code="long")
        return cleaned

    @staticmethod
    def _row_problem(row):
        heading, text = row["heading"].strip(), row["text"].strip()
        if len(heading) > body.HEADING_LENGTH:
            return _("标题不能超过 %(count)d 字。") % {"count": body.HEADING_LENGTH}
        if len(text) > body.TEXT_LENGTH:
            return _("一段不能超过 %(count)d 字，请分段。") % {"count": body.TEXT_LENGTH}
        if row["level"] != body.P and text and not heading:
            return _("标题段落请填写标题（如“一、总体情况”）；没有标题请选“正文”。")
        return ""

    def reply_fields(self):
        """What the steps (Reply.objects.start_draft, Reply.save_draft) write: the fields and the structure."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["body_paragraphs"] = self.body_paragraphs
        fields["body"] = body.plain_text(self.body_paragraphs)
        return fields


class CoOpinionForm(forms.ModelForm):
    class Meta:
        model = CoHandlingOpinion
        fields = ["body", "contact_person", "contact_phone"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


SCAN_SIGNATURES = {
    b"%PDF-": "pdf",
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
}


class ScanForm(forms.ModelForm):
    class Meta:
        model = Reply
        fields = ["sealed_scan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sealed_scan"].required = True
        self.fields["sealed_scan"].widget = forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})

    def clean_sealed_scan(self):
        upload = self.cleaned_data["sealed_scan"]
        if upload.size > settings.BANLI_SCAN_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大：不能超过 %(mb)s MB。") % {"mb": settings.BANLI_SCAN_MAX_BYTES // (1024 * 1024)}
            )
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(magic) for magic in SCAN_SIGNATURES):
            raise forms.ValidationError(_("只能上传 PDF、JPEG 或 PNG 格式的盖章扫描件。"))
        return upload


class ParagraphTemplateForm(forms.ModelForm):
    class Meta:
        model = ParagraphTemplate
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
