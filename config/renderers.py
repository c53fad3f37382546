"""How forms and widgets render their HTML (settings.FORM_RENDERER)."""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """Django's own form and widget templates through their Jinja2 versions, which Django ships
    beside the Django-template ones and which write the same HTML; any other widget template
    (the admin's, django-filter's) through Django templates.

    Why: each radio box or checkbox is a template render of its own (input_option, input,
    attrs), and Jinja2 runs its compiled templates several times faster. The member's feedback
    form has 15 such boxes: its page went from ~19 to ~14 ms of CPU (bench/submit_profile.py).
    """

    def __init__(self):
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()
        self._owner = {}  # template name -> the renderer that has it (a miss costs file look-ups)

    def get_template(self, template_name):
        owner = self._owner.get(template_name)
        if owner is not None:
            return owner.get_template(template_name)
        try:
            template = self.jinja2.get_template(template_name)
            owner = self.jinja2
        except TemplateDoesNotExist:
            template = self.django.get_template(template_name)
            owner = self.django
        self._owner[template_name] = owner
        return template
