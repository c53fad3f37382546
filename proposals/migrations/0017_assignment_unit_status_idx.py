"""The home's queues read a unit's shares in one state by deadline from one index; and a proposal
whose every answering unit was let go (退回 approved) is back to 已登记, waiting for 交办, as
`AssignmentRequest.decide` now leaves it."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef

# Literal here so this migration never changes with the code.
REGISTERED, CLOSED = "registered", "closed"
ANSWERING, RETURNED = ("lead", "separate"), "returned"


def back_to_registered(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    Assignment = apps.get_model("proposals", "Assignment")
    answering = Assignment.objects.filter(proposal=OuterRef("pk"), role__in=ANSWERING).exclude(status=RETURNED)
    Proposal.objects.exclude(status__in=[REGISTERED, CLOSED]).exclude(Exists(answering)).update(status=REGISTERED)


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0016_supervision_list_order_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="assignment",
            name="proposals_a_unit_id_26db75_idx",
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["unit", "status", "due_on", "id"], name="assignment_unit_status_idx"),
        ),
        migrations.RunPython(back_to_registered, migrations.RunPython.noop),
    ]
