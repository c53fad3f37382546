"""Each assignment's figures, kept up to date by the database itself (triggers, SQLite and PostgreSQL).

The dashboard counts replies, feedback forms, contacts and co-handling opinions per assignment.
Reading those four tables at every request costs too much at 100,000 proposals, so every
assignment carries its own summary (the `Assignment` fields from `first_reply_on` to
`silent_count`), and the triggers below refresh it whenever a row that feeds it is written:

- proposals_deadline: the first round's deadline, approved extensions included (`first_due_on`);
- replies_reply: the first issued reply's date, the latest issued round's class (A/B/C/D);
- feedback_feedback and feedback_feedbackcorrection: the signed forms on its issued replies, by
  satisfaction (as the office's latest correction has it, if the form was corrected);
- replies_contactrecord: how many contacts (沟通) it has, and (from version 3) the dates of its
  first contact and of its first face-to-face contact on or after 交办 (the 见面率,
  supervision/meetings.py); its own `assigned_on` feeds those two as well;
- replies_cohandlingopinion: the local date of its first co-handling opinion (会办意见).

A trigger recomputes the whole summary of the assignment it touches from those tables (not a
+1/-1), so whatever writes the rows (a page, the admin, an import, bulk_create, raw SQL) the
summary equals a fresh count; tests/supervision/test_figures.py checks it against one. The app
never writes these fields. `refresh_all()` recomputes every row (the migration that installs
the triggers runs it).

The SQL is versioned: a migration that installed version N keeps installing version N (its
tables existed then), and the migration of a later version drops the old triggers first. On
SQLite a trigger names other tables in its body, and SQLite refuses to rebuild a table (which
Django does to add a constraint) while a trigger elsewhere names it: a migration that rebuilds
one of these tables drops the triggers first, and a later one installs them again with
`refresh_all()` (replies/migrations/0006 and supervision/migrations/0004 do so). From version 3
a trigger also sits on proposals_assignment itself, and a rebuild of that table drops it silently
with the old table: such a migration installs the triggers again as well.

On PostgreSQL the trigger first locks the assignment row and only then counts, in a statement
of its own: under READ COMMITTED each statement sees what committed before it began, so two
forms submitted at once for one assignment are both counted.

From version 4 the PostgreSQL triggers are deferred to the commit (constraint triggers,
INITIALLY DEFERRED). Updating an assignment's summary updates its unit's tally row
(supervision/tally.py), and that row lock is held until the commit. Fired at once, a
submission held it through the rest of its transaction, so every member answering the same
unit waited in turn. Fired at the commit, the lock is held for the commit alone. A recount
from the tables gives the same result whenever it runs, and nothing in the app reads these
fields in the transaction that wrote their sources. Inside a transaction that never commits
(a test), `SET CONSTRAINTS <deferred_triggers()> IMMEDIATE` counts at once again.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import connection as default_connection

ISSUED = "issued"  # replies.models.ReplyStatus.ISSUED; literal here so a migration's SQL never changes
# replies.models.ContactMethod VISIT, MEETING and FORUM (supervision.meetings.FACE_TO_FACE), literal for the same reason.
FACE_TO_FACE = ("visit", "meeting", "forum")
SATISFACTION_COLUMNS = {
    "satisfied_count": "satisfied",
    "basically_count": "basically",
    "dissatisfied_count": "dissatisfied",
    "silent_count": "",  # a form that came back without a usable answer (未表态)
}

# Which table feeds which assignment, and which of its columns matter on UPDATE, by version.
SOURCES_V1 = {
    "replies_reply": ("assignment_id", ["assignment_id", "status", "written_on", "round", "result_class"]),
    "feedback_feedback": ("reply_id", ["reply_id", "submitted_at", "satisfaction"]),
    "replies_contactrecord": ("assignment_id", ["assignment_id"]),
    "replies_cohandlingopinion": ("assignment_id", ["assignment_id", "submitted_at"]),
}
SOURCES_V2 = {
    **SOURCES_V1,
    "proposals_deadline": ("assignment_id", ["assignment_id", "round", "due_on"]),
    "feedback_feedbackcorrection": ("feedback_id", ["feedback_id", "satisfaction"]),
}
SOURCES_V3 = {
    **SOURCES_V2,
    "replies_contactrecord": ("assignment_id", ["assignment_id", "contacted_on", "method"]),
    # Only its 交办 date: the first contact counts from it.
    "proposals_assignment": ("id", ["assigned_on"]),
}
# Version 4: the same sources and summary as 3, counted at the commit on PostgreSQL.
SOURCES = {1: SOURCES_V1, 2: SOURCES_V2, 3: SOURCES_V3, 4: SOURCES_V3}
LATEST = 4
DEFERRED_FROM = 4

# On PostgreSQL every trigger function here and in supervision/tally.py plans its statements once
# per connection. They take the row's values as parameters, and PostgreSQL's default would plan
# them afresh at each call (it guesses the generic plan of `id = ANY(targets)` to be costlier),
# which took longer than running them. Their generic plans are index look-ups by id.
GENERIC_PLANS = "SET plan_cache_mode = force_generic_plan"


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


def summary_sql(vendor, version=LATEST):
    """SET clauses recomputing an assignment's summary from the rows that feed it."""
    me = "proposals_assignment.id"
    issued = f"r.assignment_id = {me} AND r.status = '{ISSUED}'"
    forms = f"SELECT COUNT(*) FROM feedback_feedback f JOIN replies_reply r ON r.id = f.reply_id WHERE {issued} AND f.submitted_at IS NOT NULL"  # nosec B608
    satisfaction = "f.satisfaction"
    if version >= 2:
        # A corrected form counts as the office's latest correction has it (a paper form resolved with the member).
        satisfaction = (
            "COALESCE((SELECT c.satisfaction FROM feedback_feedbackcorrection c WHERE c.feedback_id = f.id "
            "ORDER BY c.id DESC LIMIT 1), f.satisfaction)"
        )
    sets = {
        "first_reply_on": f"(SELECT MIN(r.written_on) FROM replies_reply r WHERE {issued})",  # nosec B608
        # The latest issued round's class; within a round (never two issued) the last letter.
        "latest_class": f"COALESCE((SELECT r.result_class FROM replies_reply r WHERE {issued} "  # nosec B608
        "ORDER BY r.round DESC, r.result_class DESC LIMIT 1), '')",
        "form_count": f"({forms})",
        **{column: f"({forms} AND {satisfaction} = '{value}')" for column, value in SATISFACTION_COLUMNS.items()},
        "contact_count": f"(SELECT COUNT(*) FROM replies_contactrecord c WHERE c.assignment_id = {me})",  # nosec B608
        "first_opinion_on": "(SELECT "
        + _local_date(vendor, "MIN(o.submitted_at)")
        + f" FROM replies_cohandlingopinion o WHERE o.assignment_id = {me})",
    }
    if version >= 3:
        since = f"c.assignment_id = {me} AND c.contacted_on >= proposals_assignment.assigned_on"
        face = ", ".join(f"'{method}'" for method in FACE_TO_FACE)
        sets["first_contact_on"] = f"(SELECT MIN(c.contacted_on) FROM replies_contactrecord c WHERE {since})"  # nosec B608
        sets["first_meeting_on"] = (
            f"(SELECT MIN(c.contacted_on) FROM replies_contactrecord c WHERE {since} AND c.method IN ({face}))"  # nosec B608
        )
    if version >= 2:
        # The first round's deadline: its original one or the latest extension granted in it.
        sets["first_due_on"] = (
            f"(SELECT MAX(d.due_on) FROM proposals_deadline d WHERE d.assignment_id = {me} AND d.round = 1)"  # nosec B608
        )
    return ", ".join(f"{column} = {value}" for column, value in sets.items())


def _assignment_of(table, row):
    """SQL for the assignment id a row (NEW or OLD) of `table` feeds."""
    key, _columns = SOURCES[LATEST][table]
    if table == "feedback_feedback":
        return f"(SELECT assignment_id FROM replies_reply WHERE id = {row}.{key})"  # nosec B608
    if table == "feedback_feedbackcorrection":
        return (
            f"(SELECT r.assignment_id FROM feedback_feedback f JOIN replies_reply r ON r.id = f.reply_id "  # nosec B608
            f"WHERE f.id = {row}.{key})"
        )
    return f"{row}.{key}"


def _name(table):
    return f"{table}_figures"


def _events(table, columns):
    """The writes to `table` that change a summary: an assignment's own row only by its listed columns."""
    update = f"UPDATE OF {', '.join(columns)}"
    return [update] if table == "proposals_assignment" else ["INSERT", "DELETE", update]


def _sqlite_create(version):
    summary = summary_sql("sqlite", version)
    statements = []
    rows_of = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["NEW", "OLD"]}
    for table, (_key, columns) in SOURCES[version].items():
        for event in _events(table, columns):
            rows = rows_of[event.split()[0]]
            targets = ", ".join(_assignment_of(table, row) for row in rows)
            statements.append(
                f"CREATE TRIGGER {_name(table)}_{event.split()[0].lower()} AFTER {event} ON {table} FOR EACH ROW "  # nosec B608
                f"BEGIN UPDATE proposals_assignment SET {summary} WHERE id IN ({targets}); END"
            )
    return statements


def _postgresql_create(version):
    summary = summary_sql("postgresql", version)
    statements = []
    for table, (_key, columns) in SOURCES[version].items():
        name = _name(table)
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql {GENERIC_PLANS} AS $$
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
            (
                f"CREATE CONSTRAINT TRIGGER {name} AFTER {' OR '.join(_events(table, columns))} ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}()"
                if version >= DEFERRED_FROM
                else f"CREATE TRIGGER {name} AFTER {' OR '.join(_events(table, columns))} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            ),
        ]
    return statements


def function_names(version=LATEST):
    """The PostgreSQL trigger functions of `version`."""
    return [_name(table) for table in SOURCES[version]]


def deferred_triggers():
    """The PostgreSQL triggers that count at the commit, as SET CONSTRAINTS names them."""
    return function_names(LATEST)


def create_statements(vendor, version=LATEST):
    if vendor == "sqlite":
        return _sqlite_create(version)
    if vendor == "postgresql":
        return _postgresql_create(version)
    raise NotImplementedError(f"No figures triggers for the {vendor} database")


def drop_statements(vendor, version=LATEST):
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {_name(table)}_{event}"
            for table in SOURCES[version]
            for event in ("insert", "delete", "update")
            if event == "update" or table != "proposals_assignment"
        ]
    if vendor == "postgresql":
        return [
            sql
            for table in SOURCES[version]
            for sql in (
                f"DROP TRIGGER IF EXISTS {_name(table)} ON {table}",
                f"DROP FUNCTION IF EXISTS {_name(table)}()",
            )
        ]
    raise NotImplementedError(f"No figures triggers for the {vendor} database")


def refresh_all(connection=default_connection, version=LATEST):
    """Recompute every assignment's summary (after installing the triggers, or to repair)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE proposals_assignment SET {summary_sql(connection.vendor, version)}")  # nosec B608
