"""Publication by rule for the replies already on the public pages: a reply marked 主动公开 is
published (with a 索引号 from the scheme) when every member who answers it agreed. Replies that
were shown before while a member had not answered are no longer shown.
"""

from django.conf import settings
from django.db import migrations
from django.db.models import Max
from django.utils import timezone


def publish(apps, schema_editor):
    Reply = apps.get_model("replies", "Reply")
    Feedback = apps.get_model("feedback", "Feedback")
    Disclosure = apps.get_model("replies", "Disclosure")
    Cosigner = apps.get_model("proposals", "Cosigner")
    replies = Reply.objects.filter(status="issued", publication="public").select_related(
        "assignment__proposal", "assignment__unit"
    )
    for reply in replies.order_by("issued_at", "pk").iterator():
        proposal = reply.assignment.proposal
        expected = {proposal.lead_id}
        if settings.BANLI_FEEDBACK_FROM == "all":
            expected |= set(Cosigner.objects.filter(proposal=proposal).values_list("member_id", flat=True))
        agreed = set(
            Feedback.objects.filter(reply=reply, submitted_at__isnull=False, publish_consent=True).values_list(
                "member_id", flat=True
            )
        )
        if not expected <= agreed:
            continue
        unit = reply.assignment.unit
        at = reply.issued_at or timezone.now()
        year = timezone.localtime(at).year
        serial = (Disclosure.objects.filter(unit=unit, year=year).aggregate(last=Max("serial"))["last"] or 0) + 1
        code = unit.disclosure_code or f"{unit.pk:06d}"
        Disclosure.objects.create(
            reply=reply,
            unit=unit,
            year=year,
            serial=serial,
            index_number=settings.BANLI_INDEX_NUMBER_FORMAT.format(code=code, year=year, serial=serial),
            published_at=at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0005_keyed_seals_corrections_text_limits"),
        ("replies", "0007_doc_numbers_disclosures_contact_history_text_limits"),
    ]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
