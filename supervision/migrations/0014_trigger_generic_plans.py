"""The figures' and tallies' trigger functions plan their statements once per connection
(supervision.figures.GENERIC_PLANS): the functions installed by earlier migrations get the setting
that the current SQL creates them with. PostgreSQL only; SQLite plans its triggers with the
statement that fires them."""

from django.db import migrations

from supervision import figures, tally


def functions():
    return figures.function_names(version=3) + tally.function_names()


def generic(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in functions():
            schema_editor.execute(f"ALTER FUNCTION {name}() {figures.GENERIC_PLANS}", params=None)


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in functions():
            schema_editor.execute(f"ALTER FUNCTION {name}() RESET plan_cache_mode", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0013_meeting_tally"),
    ]

    operations = [
        migrations.RunPython(generic, default),
    ]
