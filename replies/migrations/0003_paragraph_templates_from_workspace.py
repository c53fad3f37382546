import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Paragraph templates belong to reply drafting: the model moves here, its table stays as it is."""

    dependencies = [
        ("replies", "0002_reply_version_delivery_history"),
        ("workspace", "0001_initial"),
        ("proposals", "0003_assignment_figures"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ParagraphTemplate",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(help_text="如：开头语、结束语", max_length=60, verbose_name="名称")),
                        ("body", models.TextField(verbose_name="段落内容")),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="修改时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="创建人",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="paragraph_templates",
                                to="proposals.handlingunit",
                                verbose_name="承办单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "段落模板",
                        "verbose_name_plural": "段落模板",
                        "db_table": "workspace_paragraphtemplate",
                        "ordering": ["unit", "title"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("unit", "title"), name="workspace_paragraphtemplate_unique_title"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
