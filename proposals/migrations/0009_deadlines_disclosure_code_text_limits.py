"""Deadlines with history (Deadline: the original one, each extension granted, each 重办 round's),
the first round's deadline among each assignment's figures, the unit's 信息公开机构代码, and
length limits on texts.

The deadline facts of existing assignments are rebuilt from what the records say: the
deadline noted at 交办 (or the session's rule), the extensions granted, the 重办 on the
timeline (the last one's deadline is the one in force; an earlier one's, the session's rule).
"""

import datetime
import re

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

NOTED = re.compile(r"期限 (\d{4})-(\d{2})-(\d{2})")
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _noted_date(note):
    match = NOTED.search(note or "")
    return datetime.date(*(int(g) for g in match.groups())) if match else None


def rebuild_deadlines(apps, schema_editor):
    Assignment = apps.get_model("proposals", "Assignment")
    Deadline = apps.get_model("proposals", "Deadline")
    Event = apps.get_model("proposals", "Event")
    Request = apps.get_model("proposals", "AssignmentRequest")
    facts = []
    for a in Assignment.objects.select_related("proposal__session").iterator(chunk_size=2000):
        session = a.proposal.session
        events = list(Event.objects.filter(assignment_id=a.pk, verb__in=["assigned", "redo"]).order_by("at", "pk"))
        assigned = next((e for e in events if e.verb == "assigned"), None)
        redos = [e for e in events if e.verb == "redo"]
        extensions = list(
            Request.objects.filter(assignment_id=a.pk, kind="extension", decision="approved").order_by("decided_at", "pk")
        )
        rule = a.assigned_on + datetime.timedelta(days=session.co_opinion_days if a.role == "co" else session.reply_days)
        original = _noted_date(assigned.note if assigned else "")
        if original is None:
            original = a.due_on if not redos and not extensions else rule
        facts.append(
            Deadline(
                assignment_id=a.pk,
                round=1,
                kind="original",
                due_on=original,
                set_by_id=a.assigned_by_id,
                set_at=assigned.at if assigned else datetime.datetime.combine(a.assigned_on, datetime.time(9), SHANGHAI),
            )
        )
        for request in extensions:
            round = 1 + sum(1 for e in redos if request.decided_at and e.at < request.decided_at)
            facts.append(
                Deadline(
                    assignment_id=a.pk,
                    round=round,
                    kind="extension",
                    due_on=request.requested_due_on,
                    set_by_id=request.decided_by_id,
                    set_at=request.decided_at,
                    reason=(request.reason or "")[:2000],
                    request_id=request.pk,
                )
            )
        for i, event in enumerate(redos):
            later_extension = any(r.decided_at and r.decided_at > event.at for r in extensions)
            if i == len(redos) - 1 and not later_extension:
                due = a.due_on
            else:
                due = event.at.astimezone(SHANGHAI).date() + datetime.timedelta(days=session.redo_days)
            facts.append(
                Deadline(
                    assignment_id=a.pk,
                    round=i + 2,
                    kind="redo",
                    due_on=due,
                    set_by_id=event.actor_id,
                    set_at=event.at,
                    reason=(event.note or "")[:2000],
                )
            )
        if len(facts) >= 2000:
            Deadline.objects.bulk_create(facts)
            facts = []
    Deadline.objects.bulk_create(facts)


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0008_similarity_index_and_links'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Deadline',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('round', models.PositiveSmallIntegerField(default=1, verbose_name='轮次')),
                ('kind', models.CharField(choices=[('original', '原定期限'), ('extension', '批准延期'), ('redo', '重办期限')], max_length=16, verbose_name='类型')),
                ('due_on', models.DateField(verbose_name='办理期限')),
                ('set_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='确定时间')),
                ('reason', models.TextField(blank=True, max_length=2000, verbose_name='理由')),
            ],
            options={
                'verbose_name': '办理期限记录',
                'verbose_name_plural': '办理期限记录',
                'ordering': ['assignment', 'round', 'set_at', 'pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='event',
            name='proposals_event_verb_valid',
        ),
        migrations.RemoveIndex(
            model_name='assignment',
            name='assignment_dashboard_idx',
        ),
        migrations.AddField(
            model_name='assignment',
            name='first_due_on',
            field=models.DateField(editable=False, null=True, verbose_name='首轮办理期限（含延期）'),
        ),
        migrations.AddField(
            model_name='handlingunit',
            name='disclosure_code',
            field=models.CharField(blank=True, help_text='公开答复的索引号以此开头，如：011043170；留空则用单位编号', max_length=20, verbose_name='信息公开机构代码'),
        ),
        migrations.AddField(
            model_name='historicalhandlingunit',
            name='disclosure_code',
            field=models.CharField(blank=True, help_text='公开答复的索引号以此开头，如：011043170；留空则用单位编号', max_length=20, verbose_name='信息公开机构代码'),
        ),
        migrations.AlterField(
            model_name='assignmentrequest',
            name='decision_note',
            field=models.TextField(blank=True, max_length=2000, verbose_name='决定意见'),
        ),
        migrations.AlterField(
            model_name='assignmentrequest',
            name='reason',
            field=models.TextField(max_length=2000, verbose_name='理由'),
        ),
        migrations.AlterField(
            model_name='event',
            name='note',
            field=models.TextField(blank=True, max_length=2000, verbose_name='说明'),
        ),
        migrations.AlterField(
            model_name='event',
            name='verb',
            field=models.CharField(choices=[('registered', '登记'), ('assigned', '交办'), ('signed_for', '签收'), ('return_requested', '申请退回'), ('return_approved', '申请退回：同意'), ('return_rejected', '申请退回：不同意'), ('extension_requested', '申请延期'), ('extension_approved', '申请延期：同意'), ('extension_rejected', '申请延期：不同意'), ('contacted', '沟通'), ('contact_amended', '修改沟通记录'), ('co_opinion', '会办意见'), ('drafted', '起草答复'), ('submitted', '提交签发'), ('sent_back', '退回修改'), ('signed_off', '签发'), ('reviewed', '审核通过'), ('issued', '答复'), ('scan_uploaded', '上传盖章件'), ('delivered', '送达'), ('feedback', '征询意见'), ('feedback_received', '签收征询意见表'), ('feedback_corrected', '核实更正征询意见表'), ('published', '公开答复'), ('link_sent', '发送填表链接'), ('redo', '重办'), ('urged', '催办'), ('imported', '导入'), ('import_confirmed', '导入核实'), ('import_corrected', '导入更正'), ('handed_over', '工作移交'), ('linked', '关联相似件'), ('merged', '并案')], max_length=40, verbose_name='操作'),
        ),
        migrations.AlterField(
            model_name='handlingunit',
            name='doc_prefix',
            field=models.CharField(blank=True, help_text='如：黄经信函；签发时按年度顺序编号，如 黄经信函〔2026〕3号', max_length=20, verbose_name='文号前缀'),
        ),
        migrations.AlterField(
            model_name='historicalhandlingunit',
            name='doc_prefix',
            field=models.CharField(blank=True, help_text='如：黄经信函；签发时按年度顺序编号，如 黄经信函〔2026〕3号', max_length=20, verbose_name='文号前缀'),
        ),
        migrations.AlterField(
            model_name='historicalproposal',
            name='body',
            field=models.TextField(blank=True, max_length=30000, verbose_name='内容'),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='body',
            field=models.TextField(blank=True, max_length=30000, verbose_name='内容'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['unit', 'role', 'first_due_on', 'due_on', 'status', 'signed_for_on', 'proposal', 'first_reply_on', 'first_opinion_on', 'latest_class', 'contact_count', 'form_count', 'satisfied_count', 'basically_count', 'dissatisfied_count', 'silent_count'], name='assignment_dashboard_idx'),
        ),
        migrations.AddConstraint(
            model_name='assignmentrequest',
            constraint=models.CheckConstraint(condition=models.Q(('reason__length__lte', 2000)), name='proposals_assignmentrequest_reason_length'),
        ),
        migrations.AddConstraint(
            model_name='assignmentrequest',
            constraint=models.CheckConstraint(condition=models.Q(('decision_note__length__lte', 2000)), name='proposals_assignmentrequest_decision_note_length'),
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.CheckConstraint(condition=models.Q(('verb__in', ['registered', 'assigned', 'signed_for', 'return_requested', 'return_approved', 'return_rejected', 'extension_requested', 'extension_approved', 'extension_rejected', 'contacted', 'contact_amended', 'co_opinion', 'drafted', 'submitted', 'sent_back', 'signed_off', 'reviewed', 'issued', 'scan_uploaded', 'delivered', 'feedback', 'feedback_received', 'feedback_corrected', 'published', 'link_sent', 'redo', 'urged', 'imported', 'import_confirmed', 'import_corrected', 'handed_over', 'linked', 'merged'])), name='proposals_event_verb_valid'),
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.CheckConstraint(condition=models.Q(('note__length__lte', 2000)), name='proposals_event_note_length'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(('body__length__lte', 30000)), name='proposals_proposal_body_length'),
        ),
        migrations.AddField(
            model_name='deadline',
            name='assignment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deadlines', to='proposals.assignment', verbose_name='交办'),
        ),
        migrations.AddField(
            model_name='deadline',
            name='request',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='granted_deadline', to='proposals.assignmentrequest', verbose_name='延期申请'),
        ),
        migrations.AddField(
            model_name='deadline',
            name='set_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确定人'),
        ),
        migrations.AddIndex(
            model_name='deadline',
            index=models.Index(fields=['assignment', 'round', 'due_on'], name='proposals_d_assignm_4b1f85_idx'),
        ),
        migrations.AddConstraint(
            model_name='deadline',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['original', 'extension', 'redo'])), name='proposals_deadline_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='deadline',
            constraint=models.CheckConstraint(condition=models.Q(('round__gte', 1)), name='proposals_deadline_round_positive'),
        ),
        migrations.AddConstraint(
            model_name='deadline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'original'), ('round', 1)), models.Q(('kind', 'redo'), ('round__gt', 1)), ('kind', 'extension'), _connector='OR'), name='proposals_deadline_kind_fits_round'),
        ),
        migrations.AddConstraint(
            model_name='deadline',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'extension'), _negated=True), fields=('assignment', 'round'), name='proposals_deadline_one_start_per_round'),
        ),
        migrations.AddConstraint(
            model_name='deadline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'extension'), ('request__isnull', False)), models.Q(('kind', 'extension'), _negated=True), _connector='OR'), name='proposals_deadline_extension_has_request'),
        ),
        migrations.AddConstraint(
            model_name='deadline',
            constraint=models.CheckConstraint(condition=models.Q(('reason__length__lte', 2000)), name='proposals_deadline_reason_length'),
        ),
        migrations.RunPython(rebuild_deadlines, migrations.RunPython.noop),
    ]
