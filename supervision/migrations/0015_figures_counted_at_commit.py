"""The figures' triggers count at the commit on PostgreSQL (supervision.figures, version 4): an
assignment's summary, and with it its unit's tally row, is then locked only while the
transaction commits, not from the write until the commit. The summary itself is unchanged, so
nothing is recounted. On SQLite version 4 installs the same triggers as version 3."""

from django.db import migrations

from supervision import figures


def install_version_4(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in figures.drop_statements(vendor, version=3) + figures.create_statements(vendor, version=4):
        schema_editor.execute(sql, params=None)


def install_version_3(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in figures.drop_statements(vendor, version=4) + figures.create_statements(vendor, version=3):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0014_trigger_generic_plans"),
    ]

    operations = [
        migrations.RunPython(install_version_4, install_version_3),
    ]
