"""Two requests in the same instant, for the tests of races (PostgreSQL only: SQLite's test database
is one shared cache and lets one transaction write at a time)."""

import threading

from django.db import connections


def at_once(*steps):
    """Run each step in a thread of its own (its own database connection), all started together;
    return the exceptions they raised. The steps meet at barriers of the test's own making."""
    errors = []

    def run(step):
        try:
            step()
        except Exception as exc:  # the caller asserts on them
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return errors
