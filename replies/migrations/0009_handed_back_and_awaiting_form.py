"""Two things the home pages ask of every reply, stored with it instead of worked out per request:
when a draft was handed back to its clerk (退回修改, 答复要件不全), and whether an issued reply
still waits for its first feedback form. The issued-reply triggers are installed again so that
the new columns are guarded (and the second may be cleared on an issued reply).
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef

from proposals import guards
from replies import sealing

# Literal here so this migration never changes with the code.
DRAFT, ISSUED = "draft", "issued"
HANDED_BACK = ("sent_back", "elements_missing")
STEPS = ("submitted", "sent_back", "withdrawn", "elements_missing")


def fill_handed_back(apps, schema_editor):
    """A draft whose last step was 退回修改 or 答复要件不全 was handed back then."""
    Reply = apps.get_model("replies", "Reply")
    Event = apps.get_model("proposals", "Event")
    drafts = dict(Reply.objects.filter(status=DRAFT).values_list("assignment_id", "pk"))
    last = {}
    steps = Event.objects.filter(assignment_id__in=list(drafts), verb__in=STEPS).order_by("at", "pk")
    for assignment_id, verb, at in steps.values_list("assignment_id", "verb", "at").iterator():
        last[assignment_id] = (verb, at)
    for assignment_id, (verb, at) in last.items():
        if verb in HANDED_BACK:
            Reply.objects.filter(pk=drafts[assignment_id]).update(handed_back_at=at)


def install_triggers(apps, schema_editor):
    for guard in sealing.GUARDS:
        guards.install(guard, schema_editor)


def uninstall_triggers(apps, schema_editor):
    # Going back: SQLite cannot drop a column a trigger names; the first operation reinstalls them.
    for guard in sealing.GUARDS:
        guards.uninstall(guard, schema_editor)


def fill_awaiting_form(apps, schema_editor):
    """The latest issued round of each share, when no form on it was submitted, waits since it went out."""
    Reply = apps.get_model("replies", "Reply")
    Feedback = apps.get_model("feedback", "Feedback")
    later = Reply.objects.filter(assignment=OuterRef("assignment"), status=ISSUED, round__gt=OuterRef("round"))
    forms = Feedback.objects.filter(reply=OuterRef("pk"), submitted_at__isnull=False)
    Reply.objects.filter(status=ISSUED).exclude(Exists(later)).exclude(Exists(forms)).update(
        awaiting_form_since=F("issued_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0008_feedback_drafts'),
        ('proposals', '0017_assignment_unit_status_idx'),
        ('replies', '0008_required_elements'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, install_triggers),
        migrations.AddField(
            model_name='historicalreply',
            name='awaiting_form_since',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='待收意见表'),
        ),
        migrations.AddField(
            model_name='historicalreply',
            name='handed_back_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='退回时间'),
        ),
        migrations.AddField(
            model_name='reply',
            name='awaiting_form_since',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='待收意见表'),
        ),
        migrations.AddField(
            model_name='reply',
            name='handed_back_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='退回时间'),
        ),
        migrations.AddIndex(
            model_name='reply',
            index=models.Index(fields=['status', 'assignment'], name='reply_status_idx'),
        ),
        migrations.AddIndex(
            model_name='reply',
            index=models.Index(condition=models.Q(('awaiting_form_since__isnull', False)), fields=['awaiting_form_since', 'id'], name='reply_awaiting_form_idx'),
        ),
        migrations.AddIndex(
            model_name="reply",
            index=models.Index(fields=["status", "issued_at", "id"], name="reply_issued_idx"),
        ),
        migrations.RunPython(install_triggers, uninstall_triggers),
        migrations.RunPython(fill_handed_back, migrations.RunPython.noop),
        migrations.RunPython(fill_awaiting_form, migrations.RunPython.noop),
    ]
