"""The rows of ticks on the feedback forms write each option's input themselves (rendering it
through Django's widget templates was a quarter of the form page's time): what they write must
stay what Django's widgets write, ticked, required and invalid states included."""

from django.template.loader import render_to_string
from django.test import SimpleTestCase

from feedback.forms import OnlineFeedbackForm, PaperFeedbackForm
from proposals.models import Member

ROWS = ("methods", "handling_effect", "satisfaction", "publish_consent")


def as_django_writes_it(field):
    return "".join(
        f'<label class="choice" for="{choice.id_for_label}">{choice.tag()}<span>{choice.choice_label}</span></label>'
        for choice in field
    )


class ChoiceRowTests(SimpleTestCase):
    def assert_rows_as_django_writes_them(self, form):
        for name in ROWS:
            with self.subTest(field=name):
                row = render_to_string("feedback/includes/choice_row.html", {"field": form[name]})
                self.assertInHTML(f'<div class="choices">{as_django_writes_it(form[name])}</div>', row)

    def test_an_empty_form(self):
        self.assert_rows_as_django_writes_them(OnlineFeedbackForm())

    def test_a_form_with_answers_ticked(self):
        form = OnlineFeedbackForm(
            {"methods": ["visit", "phone"], "handling_effect": "solved", "satisfaction": "satisfied"}
        )
        form.is_valid()
        self.assert_rows_as_django_writes_them(form)
        row = render_to_string("feedback/includes/choice_row.html", {"field": form["satisfaction"]})
        self.assertInHTML(
            '<input type="radio" name="satisfaction" value="satisfied" required checked id="id_satisfaction_0">', row
        )

    def test_a_form_sent_back_with_errors(self):
        form = OnlineFeedbackForm({"satisfaction": ["satisfied", "dissatisfied"]})
        self.assertFalse(form.is_valid())
        self.assert_rows_as_django_writes_them(form)
        self.assertIn(
            'aria-invalid="true"', render_to_string("feedback/includes/choice_row.html", {"field": form["methods"]})
        )

    def test_a_draft_restored_as_initial_answers(self):
        self.assert_rows_as_django_writes_them(
            OnlineFeedbackForm(initial={"methods": ["letter"], "publish_consent": "no"})
        )

    def test_the_paper_form_with_two_ticks_in_a_row(self):
        form = PaperFeedbackForm({"satisfaction": ["satisfied", "dissatisfied"]}, members=Member.objects.none())
        form.is_valid()
        self.assert_rows_as_django_writes_them(form)
