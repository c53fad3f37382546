"""A submitted feedback form cannot be changed: a BEFORE UPDATE trigger on SQLite and PostgreSQL.

The first version of the trigger, kept here as it was installed; feedback/sealing.py holds the
current one (installed by a later migration).
"""

from django.db import migrations

TABLE = "feedback_feedback"
TRIGGER = "feedback_feedback_sealed"
RECEIPT_COLUMNS = ("received_by_id", "received_at")
# Every other column, as of migration 0004; a later migration that adds a column to
# Feedback must re-create the SQLite trigger (PostgreSQL compares whole rows).
SEALED_COLUMNS = (
    "id",
    "reply_id",
    "member_id",
    "channel",
    "by_visit",
    "by_meeting",
    "by_phone",
    "by_letter",
    "by_forum",
    "by_other",
    "other_method",
    "handling_effect",
    "satisfaction",
    "publish_consent",
    "opinion",
    "signature",
    "submitted_at",
    "paper_scan",
    "entered_by_id",
    "needs_attention",
    "content_sha256",
    "verification_code",
    "created_at",
)
MESSAGE = "feedback_feedback: a submitted form is sealed; only the receipt may be filled in, once"


def _sqlite_create():
    unchanged = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in SEALED_COLUMNS)
    return [
        f"""
        CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE}
        FOR EACH ROW WHEN OLD.submitted_at IS NOT NULL AND NOT (
            OLD.received_at IS NULL AND OLD.received_by_id IS NULL
            AND NEW.received_at IS NOT NULL AND NEW.received_by_id IS NOT NULL
            AND {unchanged}
        )
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """
    ]


def _postgresql_create():
    receipt = " - ".join(f"'{c}'" for c in RECEIPT_COLUMNS)
    return [
        f"""
        CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.submitted_at IS NULL THEN
                RETURN NEW;
            END IF;
            IF OLD.received_at IS NULL AND OLD.received_by_id IS NULL
               AND NEW.received_at IS NOT NULL AND NEW.received_by_id IS NOT NULL
               AND (to_jsonb(NEW) - {receipt}) = (to_jsonb(OLD) - {receipt}) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END
        $$
        """,
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()",
    ]


def create_statements(vendor):
    if vendor == "sqlite":
        return _sqlite_create()
    if vendor == "postgresql":
        return _postgresql_create()
    raise NotImplementedError(f"No sealing trigger for the {vendor} database")


def drop_statements(vendor):
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}", f"DROP FUNCTION IF EXISTS {TRIGGER}()"]
    raise NotImplementedError(f"No sealing trigger for the {vendor} database")


def forwards(apps, schema_editor):
    for sql in create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_feedback_links_and_notification_ledger")]

    operations = [migrations.RunPython(forwards, backwards)]
