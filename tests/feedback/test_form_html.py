"""Forms render through Jinja2 where Django ships a Jinja2 widget template (config/renderers.py).
The HTML a member or clerk gets must be what Django's own templates write, box for box, so
that a Django upgrade changing one set and not the other fails here, not in a browser."""

from django.forms.renderers import DjangoTemplates
from django.test import TestCase

from config.renderers import FormRenderer
from feedback import forms as feedback_forms
from legacy import forms as legacy_forms
from workspace import forms as workspace_forms

# Every form that can be built without arguments (the others need a proposal or an assignment).
FORMS = [
    feedback_forms.FeedbackContentForm,
    feedback_forms.OnlineFeedbackForm,
    legacy_forms.UploadForm,
    legacy_forms.RefuseForm,
    workspace_forms.ContactForm,
    workspace_forms.CoOpinionForm,
    workspace_forms.DecisionForm,
    workspace_forms.NoteForm,
    workspace_forms.ParagraphTemplateForm,
    workspace_forms.ReviewForm,
    workspace_forms.ScanForm,
]


class FormHtmlTests(TestCase):
    def test_every_form_writes_the_same_html_as_with_djangos_own_templates(self):
        answers = {"methods": ["visit", "phone"], "handling_effect": "solved", "opinion": "<b>好</b>"}
        for form_class in FORMS:
            for data in ({}, answers, None):
                with self.subTest(form=form_class.__name__, data=data):
                    fast = form_class(data, renderer=FormRenderer())
                    plain = form_class(data, renderer=DjangoTemplates())
                    # The same elements, attributes and text (the engines lay out whitespace and
                    # write a quote as an entity differently, which a browser does not see).
                    self.assertHTMLEqual(str(fast), str(plain))
                    for fast_field, plain_field in zip(fast, plain, strict=True):
                        self.assertHTMLEqual(str(fast_field), str(plain_field))
                        # Box by box, as the feedback form's row template writes them: exactly.
                        self.assertEqual(
                            [str(box.tag()) for box in fast_field.subwidgets],
                            [str(box.tag()) for box in plain_field.subwidgets],
                        )

    def test_the_ticked_boxes_and_the_escaped_opinion_survive_a_redisplay(self):
        form = feedback_forms.OnlineFeedbackForm(
            {"methods": ["phone"], "satisfaction": "satisfied", "opinion": '"><script>x</script>'},
            renderer=FormRenderer(),
        )
        self.assertFalse(form.is_valid())
        html = str(form)
        self.assertInHTML('<input type="checkbox" name="methods" value="phone" id="id_methods_2" checked>', html)
        self.assertInHTML(
            '<input type="radio" name="satisfaction" value="satisfied" id="id_satisfaction_0" required checked>', html
        )
        self.assertIn("&gt;&lt;script&gt;x&lt;/script&gt;</textarea>", html)
        self.assertNotIn("<script>x", html)
