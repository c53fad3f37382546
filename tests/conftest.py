import pytest


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is not what these tests measure (and setUpTestData runs before fixtures).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client signs staff in without an authenticator app; the second-factor tests
    # (tests/accounts/) switch it back on with override_settings.
    settings.BANLI_SECOND_FACTOR = False
    _count_figures_at_once_in_rolled_back_tests()


def _count_figures_at_once_in_rolled_back_tests():
    """On PostgreSQL the figures' triggers count at the commit (supervision/figures.py), and a
    test in a transaction that is rolled back never commits: there they count at each write, as
    they did before they were deferred. Transactional tests (transaction=True) commit and see
    them counted at the commit, as in production."""
    from django.db import connections
    from django.test import TestCase

    enter_atomics = TestCase._enter_atomics.__func__

    def _enter_atomics(cls):
        from supervision import figures

        atomics = enter_atomics(cls)
        for alias in atomics:
            connection = connections[alias]
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                # Only those installed: a migration test may have gone back before them.
                cursor.execute(
                    "SELECT conname FROM pg_constraint WHERE contype = 't' AND conname = ANY(%s)",
                    [figures.deferred_triggers()],
                )
                installed = [name for (name,) in cursor.fetchall()]
                if installed:
                    cursor.execute(f"SET CONSTRAINTS {', '.join(installed)} IMMEDIATE")
        return atomics

    TestCase._enter_atomics = classmethod(_enter_atomics)


@pytest.fixture(scope="session", autouse=True)
def _let_sqlite_flush_sealed_tables():
    """Empty a SQLite test database between transactional tests although its sealed rows refuse
    DELETE (proposals/guards.py): the flush drops those triggers, deletes, and creates them again.
    PostgreSQL's flush is a TRUNCATE, which row triggers do not see."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    from django.db.backends.sqlite3.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        from feedback.sealing import GUARDS as FEEDBACK_GUARDS
        from replies.sealing import GUARDS as REPLY_GUARDS

        statements = original(self, style, tables, **kwargs)
        guards = [g for g in (*REPLY_GUARDS, *FEEDBACK_GUARDS) if g.table in tables]
        if not statements or not guards:
            return statements
        drop = [sql for g in guards for sql in g.drop_statements("sqlite")]
        create = [sql for g in guards for sql in g.create_statements(self.connection)]
        return [*drop, *statements, *create]

    DatabaseOperations.sql_flush = sql_flush


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters (accounts: member codes, one-time
    links), dashboard figures and failed renders live there; none carries over."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: the test client's requests run in the test's own
    thread, and the language the last one was served in (an English page) would otherwise stay
    active into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _tally_recounted(request):
    """A transactional test starts from a tally recounted from the (empty) tables: the flush after
    the previous one empties them in no fixed order on SQLite, and the triggers of a table emptied
    after the tally leave rows behind (supervision/tally.py). A real database is never flushed."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from supervision import tally

    tally.refresh()


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    """Text messages go to notifications.sms.outbox, emptied for each test (as Django's mail.outbox)."""
    from notifications import sms

    settings.BANLI_SMS_BACKEND = "notifications.sms.LocmemBackend"
    sms.outbox.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file (WAL, like production) rather than Django's in-memory default.

    An in-memory test database is one connection's private memory (or, shared-cache, a table
    lock that fails instead of waiting), so threads and live servers would not see one database.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.setdefault("TEST", {}).get("NAME"):
        db["TEST"]["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test.sqlite3")
