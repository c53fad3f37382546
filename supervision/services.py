"""Writes of the supervision app: 催办 (with its reminder e-mail), and the 交办清单 import (importer.apply)."""

from django.db import transaction

from proposals.i18n import stored_text
from proposals.models import Event, EventVerb

from .mail import send_reminder_once
from .models import Urge


def urge(*, assignment, by, method, note=""):
    """催办 one assignment: record it on the timeline and mail the unit once per deadline.

    Returns (urge, sent): sent is True when an e-mail goes out, False when one already went for
    this deadline, None when the unit has no address.
    """
    with transaction.atomic():
        record = Urge.objects.create(
            assignment=assignment, method=method, note=note, due_on=assignment.due_on, urged_by=by
        )
        with stored_text():
            summary = f"{record.get_method_display()} · {assignment.unit.short_name}" + (f"：{note}" if note else "")
        Event.record(proposal=assignment.proposal, assignment=assignment, verb=EventVerb.URGED, actor=by, note=summary)
        sent = send_reminder_once(record)
    return record, sent
