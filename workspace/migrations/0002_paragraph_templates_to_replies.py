from django.db import migrations


class Migration(migrations.Migration):
    """The paragraph templates moved to the replies app (replies 0003), table and rows untouched."""

    dependencies = [
        ("workspace", "0001_initial"),
        ("replies", "0003_paragraph_templates_from_workspace"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ParagraphTemplate")],
            database_operations=[],
        ),
    ]
