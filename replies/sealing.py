"""The database triggers that keep issued replies, 文号 and publications as they are.

- An issued reply is never changed or deleted; it still takes its sealed scan (a new upload
  replaces the last) and, once, its delivery time, and the office's note that its form is
  still awaited is cleared.
- A 文号 given (DocNumber) is never changed or removed, so it is never given again.
- A publication (Disclosure) is never changed or removed; it may be withdrawn once.

See proposals/guards.py for how the triggers are built on SQLite and PostgreSQL.
"""

from proposals.guards import Guard

ISSUED = "issued"  # ReplyStatus.ISSUED, literal so the trigger's SQL never changes

ISSUED_REPLY = Guard(
    table="replies_reply",
    name="replies_reply_issued",
    sealed=f"OLD.status = '{ISSUED}'",
    # awaiting_form_since is the office's bookkeeping (is a form still to come?), not the letter.
    mutable=("sealed_scan", "delivered_at", "updated_at", "awaiting_form_since"),
    mutable_ok={
        "sqlite": "OLD.delivered_at IS NULL OR NEW.delivered_at IS OLD.delivered_at",
        "postgresql": "OLD.delivered_at IS NULL OR NEW.delivered_at IS NOT DISTINCT FROM OLD.delivered_at",
    },
    message="replies_reply: an issued reply is never changed; only its sealed scan and delivery time are added",
)

DOC_NUMBER = Guard(
    table="replies_docnumber",
    name="replies_docnumber_sealed",
    sealed="1 = 1",
    message="replies_docnumber: a document number given is never changed or removed",
)

DISCLOSURE = Guard(
    table="replies_disclosure",
    name="replies_disclosure_sealed",
    sealed="1 = 1",
    mutable=("withdrawn_at",),
    mutable_ok={"sqlite": "OLD.withdrawn_at IS NULL", "postgresql": "OLD.withdrawn_at IS NULL"},
    message="replies_disclosure: a publication is never changed or removed, only withdrawn once",
)

GUARDS = [ISSUED_REPLY, DOC_NUMBER, DISCLOSURE]
