"""Keyed seals (HMAC, feedback/seals.py), corrections of 待核实 paper forms, length limits, and
the sealing triggers of feedback/sealing.py in place of the first one (UPDATE and DELETE).

Forms sealed before keys existed keep their plain SHA-256, marked with the key id "sha256"
and checked the old way.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from feedback import sealing
from proposals import guards


def drop_first_trigger(apps, schema_editor):
    # The trigger of migration 0004 refuses the UPDATE below; its successor is installed at the end.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS feedback_feedback_sealed")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS feedback_feedback_sealed ON feedback_feedback")
        schema_editor.execute("DROP FUNCTION IF EXISTS feedback_feedback_sealed()")


def mark_plain_seals(apps, schema_editor):
    Feedback = apps.get_model("feedback", "Feedback")
    Feedback.objects.exclude(seal="").update(seal_key_id="sha256")
    # Forms written as submitted without passing through save() (bulk loads) carry no seal at
    # all: they are sealed as they stand now, with the current key, so that every submitted form
    # is sealed (the constraint below). The model of this code base computes it: the columns it
    # reads exist at this point of the migration.
    from feedback import seals
    from feedback.models import Feedback as Current

    codes = set(Feedback.objects.exclude(verification_code="").values_list("verification_code", flat=True))
    for form in Current.objects.filter(submitted_at__isnull=False, seal="").iterator():
        seals.seal(form, taken=codes.__contains__)
        codes.add(form.verification_code)
        Current.objects.filter(pk=form.pk).update(
            seal=form.seal, seal_key_id=form.seal_key_id, verification_code=form.verification_code
        )


def install_triggers(apps, schema_editor):
    for guard in sealing.GUARDS:
        guards.install(guard, schema_editor)


def uninstall_triggers(apps, schema_editor):
    for guard in sealing.GUARDS:
        guards.uninstall(guard, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0004_seal_submitted_feedback_trigger'),
        ('proposals', '0009_deadlines_disclosure_code_text_limits'),
        ('replies', '0007_doc_numbers_disclosures_contact_history_text_limits'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_first_trigger, migrations.RunPython.noop),
        migrations.CreateModel(
            name='FeedbackCorrection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('handling_effect', models.CharField(choices=[('solved', '解决或基本解决'), ('in_progress', '正在解决'), ('later', '以后解决'), ('unsolvable', '无法解决')], max_length=16, verbose_name='办理效果')),
                ('satisfaction', models.CharField(choices=[('satisfied', '满意'), ('basically', '基本满意'), ('dissatisfied', '不满意')], max_length=16, verbose_name='办理评价')),
                ('publish_consent', models.BooleanField(verbose_name='是否公开')),
                ('confirmed_via', models.CharField(choices=[('visit', '上门走访'), ('meeting', '约见'), ('phone', '电话联系'), ('letter', '信函'), ('forum', '座谈会'), ('other', '其他')], max_length=16, verbose_name='核实方式')),
                ('confirmed_on', models.DateField(verbose_name='核实日期')),
                ('note', models.TextField(max_length=2000, verbose_name='核实情况')),
                ('corrected_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='记录时间')),
            ],
            options={
                'verbose_name': '意见表核实更正',
                'verbose_name_plural': '意见表核实更正',
                'ordering': ['feedback', 'pk'],
            },
        ),
        migrations.RenameField(
            model_name='feedback',
            old_name='content_sha256',
            new_name='seal',
        ),
        migrations.AlterField(
            model_name='feedback',
            name='seal',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='封存签章'),
        ),
        migrations.AddField(
            model_name='feedback',
            name='seal_key_id',
            field=models.CharField(blank=True, editable=False, max_length=16, verbose_name='签章密钥编号'),
        ),
        migrations.RunPython(mark_plain_seals, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='feedback',
            name='needs_attention',
            field=models.TextField(blank=True, max_length=2000, verbose_name='待核实问题'),
        ),
        migrations.AlterField(
            model_name='feedback',
            name='opinion',
            field=models.TextField(blank=True, max_length=5000, verbose_name='对办理情况的意见'),
        ),
        migrations.AddConstraint(
            model_name='feedback',
            constraint=models.CheckConstraint(condition=models.Q(('submitted_at__isnull', True), models.Q(models.Q(('seal', ''), _negated=True), models.Q(('seal_key_id', ''), _negated=True), models.Q(('verification_code', ''), _negated=True)), _connector='OR'), name='feedback_feedback_submitted_is_sealed'),
        ),
        migrations.AddConstraint(
            model_name='feedback',
            constraint=models.CheckConstraint(condition=models.Q(('opinion__length__lte', 5000)), name='feedback_feedback_opinion_length'),
        ),
        migrations.AddConstraint(
            model_name='feedback',
            constraint=models.CheckConstraint(condition=models.Q(('needs_attention__length__lte', 2000)), name='feedback_feedback_needs_attention_length'),
        ),
        migrations.AddField(
            model_name='feedbackcorrection',
            name='corrected_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='核实人'),
        ),
        migrations.AddField(
            model_name='feedbackcorrection',
            name='feedback',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='feedback.feedback', verbose_name='征询意见表'),
        ),
        migrations.AddConstraint(
            model_name='feedbackcorrection',
            constraint=models.CheckConstraint(condition=models.Q(('handling_effect__in', ['solved', 'in_progress', 'later', 'unsolvable'])), name='feedback_feedbackcorrection_handling_effect_valid'),
        ),
        migrations.AddConstraint(
            model_name='feedbackcorrection',
            constraint=models.CheckConstraint(condition=models.Q(('satisfaction__in', ['satisfied', 'basically', 'dissatisfied'])), name='feedback_feedbackcorrection_satisfaction_valid'),
        ),
        migrations.AddConstraint(
            model_name='feedbackcorrection',
            constraint=models.CheckConstraint(condition=models.Q(('confirmed_via__in', ['visit', 'meeting', 'phone', 'letter', 'forum', 'other'])), name='feedback_feedbackcorrection_confirmed_via_valid'),
        ),
        migrations.AddConstraint(
            model_name='feedbackcorrection',
            constraint=models.CheckConstraint(condition=models.Q(('note__length__lte', 2000)), name='feedback_feedbackcorrection_note_length'),
        ),
        migrations.AddConstraint(
            model_name='feedbackcorrection',
            constraint=models.CheckConstraint(condition=models.Q(('note', ''), _negated=True), name='feedback_feedbackcorrection_says_why'),
        ),
        migrations.RunPython(install_triggers, uninstall_triggers),
    ]
