"""The daily reminders as a task for the worker (`manage.py remind_feedback --enqueue`)."""

from django_tasks import task

from .reminders import remind_unanswered


@task()
def remind_feedback():
    return remind_unanswered()
