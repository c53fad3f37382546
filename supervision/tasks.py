"""The daily 督办 run as a task (django-tasks), for the worker when cron hands it over."""

import datetime

from django_tasks import task

from . import escalation


@task()
def escalate(today=None):
    """Raise what is due on `today` (an ISO date; today when empty). Returns the number raised."""
    day = datetime.date.fromisoformat(today) if today else None
    return escalation.run(today=day).raised
