"""Each assignment's figures, kept up to date by the database itself (triggers, SQLite and PostgreSQL).

The dashboard counts replies, feedback forms, contacts and co-handling opinions per assignment.
Reading those four tables at every request costs too much at 100,000 proposals, so every
assignment carries its own summary (the `Assignment` fields from `first_reply_on` to
`silent_count`), and the triggers below refresh it whenever a row that feeds it is written:

- replies_reply: the first issued reply's date, the latest issued round's class (A/B/C/D);
- feedback_feedback: the signed forms on its issued replies, by satisfaction;
- replies_contactrecord: how many contacts (沟通) it has;
- replies_cohandlingopinion: the local date of its first co-handling opinion (会办意见).

A trigger recomputes the whole summary of the assignment it touches from those tables (not a
+1/-1), so whatever writes the rows (a page, the admin, an import, bulk_create, raw SQL) the
summary equals a fresh count; tests/supervision/test_figures.py checks it against one. The app
never writes these fields. `refresh_all()` recomputes every row (the migration that installs
the triggers runs it).

On PostgreSQL the trigger first locks the assignment row and only then counts, in a statement
of its own: under READ COMMITTED each statement sees what committed before it began, so two
forms submitted at once for one assignment are both counted.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import connection as default_connection

ISSUED = "issued"  # replies.models.ReplyStatus.ISSUED; literal here so a migration's SQL never changes
SATISFACTION_COLUMNS = {
    "satisfied_count": "satisfied",
    "basically_count": "basically",
    "dissatisfied_count": "dissatisfied",
    "silent_count": "",  # a form that came back without a usable answer (未表态)
}

# Which table feeds which assignment, and which of its columns matter on UPDATE.
SOURCES = {
    "replies_reply": ("assignment_id", ["assignment_id", "status", "written_on", "round", "result_class"]),
    "feedback_feedback": ("reply_id", ["reply_id", "submitted_at", "satisfaction"]),
    "replies_contactrecord": ("assignment_id", ["assignment_id"]),
    "replies_cohandlingopinion": ("assignment_id", ["assignment_id", "submitted_at"]),
}


def _local_date(vendor, column):
    """The date, in TIME_ZONE, of a timestamp column (as Django's TruncDate gives it)."""
    if vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    # SQLite stores UTC text and knows no zone names: add the zone's offset. Asia/Shanghai has
    # kept one offset since 1991; a zone with summer time would need more than this.
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    offsets = {datetime.datetime(2025, month, 1, tzinfo=zone).utcoffset() for month in (1, 7)}
    if len(offsets) != 1:
        raise NotImplementedError(f"{settings.TIME_ZONE} changes its offset; SQLite figures need a fixed one")
    minutes = int(offsets.pop().total_seconds() // 60)
    return f"date({column}, '{minutes:+d} minutes')"


def summary_sql(vendor):
    """SET clauses recomputing an assignment's summary from the rows that feed it."""
    me = "proposals_assignment.id"
    issued = f"r.assignment_id = {me} AND r.status = '{ISSUED}'"
    forms = f"SELECT COUNT(*) FROM feedback_feedback f JOIN replies_reply r ON r.id = f.reply_id WHERE {issued} AND f.submitted_at IS NOT NULL"  # nosec B608
    sets = {
        "first_reply_on": f"(SELECT MIN(r.written_on) FROM replies_reply r WHERE {issued})",  # nosec B608
        # The latest issued round's class; within a round (never two issued) the last letter.
        "latest_class": f"COALESCE((SELECT r.result_class FROM replies_reply r WHERE {issued} "  # nosec B608
        "ORDER BY r.round DESC, r.result_class DESC LIMIT 1), '')",
        "form_count": f"({forms})",
        **{column: f"({forms} AND f.satisfaction = '{value}')" for column, value in SATISFACTION_COLUMNS.items()},
        "contact_count": f"(SELECT COUNT(*) FROM replies_contactrecord c WHERE c.assignment_id = {me})",  # nosec B608
        "first_opinion_on": "(SELECT "
        + _local_date(vendor, "MIN(o.submitted_at)")
        + f" FROM replies_cohandlingopinion o WHERE o.assignment_id = {me})",
    }
    return ", ".join(f"{column} = {value}" for column, value in sets.items())


def _assignment_of(table, row):
    """SQL for the assignment id a row (NEW or OLD) of `table` feeds."""
    key, _columns = SOURCES[table]
    if table == "feedback_feedback":
        return f"(SELECT assignment_id FROM replies_reply WHERE id = {row}.{key})"  # nosec B608
    return f"{row}.{key}"


def _name(table):
    return f"{table}_figures"


def _sqlite_create():
    summary = summary_sql("sqlite")
    statements = []
    for table, (_key, columns) in SOURCES.items():
        for event, rows in (
            ("INSERT", ["NEW"]),
            ("DELETE", ["OLD"]),
            (f"UPDATE OF {', '.join(columns)}", ["NEW", "OLD"]),
        ):
            targets = ", ".join(_assignment_of(table, row) for row in rows)
            statements.append(
                f"CREATE TRIGGER {_name(table)}_{event.split()[0].lower()} AFTER {event} ON {table} FOR EACH ROW "  # nosec B608
                f"BEGIN UPDATE proposals_assignment SET {summary} WHERE id IN ({targets}); END"
            )
    return statements


def _postgresql_create():
    summary = summary_sql("postgresql")
    statements = []
    for table, (_key, columns) in SOURCES.items():
        name = _name(table)
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                targets bigint[];
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    targets := ARRAY[{_assignment_of(table, "NEW")}];
                ELSIF TG_OP = 'DELETE' THEN
                    targets := ARRAY[{_assignment_of(table, "OLD")}];
                ELSE
                    targets := ARRAY[{_assignment_of(table, "NEW")}, {_assignment_of(table, "OLD")}];
                END IF;
                -- Lock first, count after: the UPDATE below then sees every form committed before it.
                PERFORM 1 FROM proposals_assignment WHERE id = ANY(targets) ORDER BY id FOR UPDATE;
                UPDATE proposals_assignment SET {summary} WHERE id = ANY(targets);
                RETURN NULL;
            END
            $$
            """,  # nosec B608
            f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {', '.join(columns)} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    return statements


def create_statements(vendor):
    if vendor == "sqlite":
        return _sqlite_create()
    if vendor == "postgresql":
        return _postgresql_create()
    raise NotImplementedError(f"No figures triggers for the {vendor} database")


def drop_statements(vendor):
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {_name(table)}_{event}"
            for table in SOURCES
            for event in ("insert", "delete", "update")
        ]
    if vendor == "postgresql":
        return [
            sql
            for table in SOURCES
            for sql in (
                f"DROP TRIGGER IF EXISTS {_name(table)} ON {table}",
                f"DROP FUNCTION IF EXISTS {_name(table)}()",
            )
        ]
    raise NotImplementedError(f"No figures triggers for the {vendor} database")


def refresh_all(connection=default_connection):
    """Recompute every assignment's summary (after installing the triggers, or to repair)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE proposals_assignment SET {summary_sql(connection.vendor)}")  # nosec B608
