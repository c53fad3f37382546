"""An office's inbox counts and reads the shares of its body from the assignments alone."""

import proposals.models
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_body(apps, schema_editor):
    """Every share takes the body of its proposal's session."""
    Assignment = apps.get_model("proposals", "Assignment")
    Proposal = apps.get_model("proposals", "Proposal")
    body = Proposal.objects.filter(pk=OuterRef("proposal_id")).values("session__body")[:1]
    Assignment.objects.update(body=Subquery(body))


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0018_drop_unit_due_order_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='body',
            field=models.CharField(blank=True, choices=[('npc', '人大'), ('cppcc', '政协')], editable=False, max_length=8, null=True, verbose_name='所属'),
        ),
        migrations.AddField(
            model_name='historicalassignment',
            name='body',
            field=models.CharField(blank=True, choices=[('npc', '人大'), ('cppcc', '政协')], editable=False, max_length=8, null=True, verbose_name='所属'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['body', 'status'], name='assignment_body_status_idx'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(models.F('body'), proposals.models.FinishedRank(), models.F('due_on'), models.F('id'), name='assignment_body_inbox_idx'),
        ),
        migrations.RunPython(fill_body, migrations.RunPython.noop),
    ]
