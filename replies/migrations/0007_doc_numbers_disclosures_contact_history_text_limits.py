"""The 文号 register (DocNumber) and publications with their 索引号 (Disclosure), the history of
contact records, length limits, and the triggers of replies/sealing.py: an issued reply, a
文号 given and a publication are never changed or removed.
"""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from proposals import guards
from replies import sealing


# Tables whose rows feed the dashboard's figures (supervision/figures.py, version 1): their
# triggers name the other tables in their bodies, and SQLite refuses to rebuild a table (as the
# constraints below make it do) while a trigger elsewhere names it. They are dropped here and
# installed again, as version 2, by supervision's migration 0004, which recounts every figure.
FIGURES_TABLES = ["replies_reply", "feedback_feedback", "replies_contactrecord", "replies_cohandlingopinion"]


def drop_figures_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL alters tables in place: the triggers stay until 0004 replaces them
    for table in FIGURES_TABLES:
        for event in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_figures_{event}", params=None)


def install_triggers(apps, schema_editor):
    for guard in sealing.GUARDS:
        guards.install(guard, schema_editor)


def uninstall_triggers(apps, schema_editor):
    for guard in sealing.GUARDS:
        guards.uninstall(guard, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0009_deadlines_disclosure_code_text_limits'),
        ('replies', '0006_reply_drafter'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_figures_triggers, migrations.RunPython.noop),
        migrations.CreateModel(
            name='Disclosure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('serial', models.PositiveIntegerField(verbose_name='序号')),
                ('index_number', models.CharField(max_length=60, verbose_name='索引号')),
                ('published_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='公开时间')),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='撤回时间')),
            ],
            options={
                'verbose_name': '公开记录',
                'verbose_name_plural': '公开记录',
                'ordering': ['-published_at'],
            },
        ),
        migrations.CreateModel(
            name='DocNumber',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('serial', models.PositiveIntegerField(verbose_name='序号')),
                ('number', models.CharField(max_length=60, verbose_name='文号')),
                ('allocated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='编号时间')),
            ],
            options={
                'verbose_name': '文号登记',
                'verbose_name_plural': '文号登记',
                'ordering': ['unit', 'year', 'serial'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalContactRecord',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('contacted_on', models.DateField(verbose_name='沟通日期')),
                ('method', models.CharField(choices=[('visit', '上门走访'), ('meeting', '约见'), ('phone', '电话联系'), ('letter', '信函'), ('forum', '座谈会'), ('other', '其他')], max_length=16, verbose_name='沟通方式')),
                ('participants', models.CharField(blank=True, max_length=300, verbose_name='参加人员')),
                ('summary', models.TextField(max_length=5000, verbose_name='沟通情况')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='记录时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical 沟通记录',
                'verbose_name_plural': 'historical 沟通记录',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AlterField(
            model_name='cohandlingopinion',
            name='body',
            field=models.TextField(max_length=30000, verbose_name='会办意见'),
        ),
        migrations.AlterField(
            model_name='contactrecord',
            name='summary',
            field=models.TextField(max_length=5000, verbose_name='沟通情况'),
        ),
        migrations.AlterField(
            model_name='historicalparagraphtemplate',
            name='body',
            field=models.TextField(max_length=10000, verbose_name='段落内容'),
        ),
        migrations.AlterField(
            model_name='historicalreply',
            name='body',
            field=models.TextField(help_text='每段一行；标题行如“一、支持企业转型”', max_length=30000, verbose_name='正文'),
        ),
        migrations.AlterField(
            model_name='historicalreply',
            name='index_number',
            field=models.CharField(blank=True, max_length=60, verbose_name='原索引号'),
        ),
        migrations.AlterField(
            model_name='paragraphtemplate',
            name='body',
            field=models.TextField(max_length=10000, verbose_name='段落内容'),
        ),
        migrations.AlterField(
            model_name='reply',
            name='body',
            field=models.TextField(help_text='每段一行；标题行如“一、支持企业转型”', max_length=30000, verbose_name='正文'),
        ),
        migrations.AlterField(
            model_name='reply',
            name='index_number',
            field=models.CharField(blank=True, max_length=60, verbose_name='原索引号'),
        ),
        migrations.AddConstraint(
            model_name='cohandlingopinion',
            constraint=models.CheckConstraint(condition=models.Q(('body__length__lte', 30000)), name='replies_cohandlingopinion_body_length'),
        ),
        migrations.AddConstraint(
            model_name='contactrecord',
            constraint=models.CheckConstraint(condition=models.Q(('summary__length__lte', 5000)), name='replies_contactrecord_summary_length'),
        ),
        migrations.AddConstraint(
            model_name='paragraphtemplate',
            constraint=models.CheckConstraint(condition=models.Q(('body__length__lte', 10000)), name='replies_paragraphtemplate_body_length'),
        ),
        migrations.AddConstraint(
            model_name='reply',
            constraint=models.CheckConstraint(condition=models.Q(('body__length__lte', 30000)), name='replies_reply_body_length'),
        ),
        migrations.AddField(
            model_name='disclosure',
            name='reply',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='disclosure', to='replies.reply', verbose_name='答复函'),
        ),
        migrations.AddField(
            model_name='disclosure',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='proposals.handlingunit', verbose_name='承办单位'),
        ),
        migrations.AddField(
            model_name='docnumber',
            name='allocated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='签发人'),
        ),
        migrations.AddField(
            model_name='docnumber',
            name='reply',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='doc_number_entry', to='replies.reply', verbose_name='答复函'),
        ),
        migrations.AddField(
            model_name='docnumber',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='doc_numbers', to='proposals.handlingunit', verbose_name='承办单位'),
        ),
        migrations.AddField(
            model_name='historicalcontactrecord',
            name='assignment',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='proposals.assignment', verbose_name='交办'),
        ),
        migrations.AddField(
            model_name='historicalcontactrecord',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcontactrecord',
            name='recorded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人'),
        ),
        migrations.AddConstraint(
            model_name='disclosure',
            constraint=models.UniqueConstraint(fields=('unit', 'year', 'serial'), name='replies_disclosure_unique_serial'),
        ),
        migrations.AddConstraint(
            model_name='disclosure',
            constraint=models.UniqueConstraint(fields=('index_number',), name='replies_disclosure_unique_index_number'),
        ),
        migrations.AddConstraint(
            model_name='docnumber',
            constraint=models.UniqueConstraint(fields=('unit', 'year', 'serial'), name='replies_docnumber_unique_serial'),
        ),
        migrations.AddConstraint(
            model_name='docnumber',
            constraint=models.UniqueConstraint(fields=('number',), name='replies_docnumber_unique_number'),
        ),
        migrations.AddConstraint(
            model_name='docnumber',
            constraint=models.CheckConstraint(condition=models.Q(('serial__gte', 1)), name='replies_docnumber_serial_positive'),
        ),
        migrations.RunPython(install_triggers, uninstall_triggers),
    ]
