"""The daily reminders (and the form notices still owed) as a task for the worker (`manage.py remind_feedback --enqueue`)."""

from django_tasks import task

from .reminders import remind_unanswered
from .services import send_owed_notices


@task()
def remind_feedback():
    reminded = remind_unanswered()
    send_owed_notices()
    return reminded
