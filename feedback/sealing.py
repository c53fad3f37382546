"""The database triggers that keep submitted feedback forms and their corrections as they are.

- A form submitted on an issued reply is sealed: an UPDATE is refused unless it only fills the
  office's receipt (received_by, received_at) from empty, once; a DELETE is refused. (A form
  found in a historical letter hangs on a draft reply until a person has checked the import,
  which may still remove it.)
- A correction (FeedbackCorrection) is never changed or deleted.

The pages and the admin refuse too; the triggers hold when someone writes to the tables
directly. The seal itself (an HMAC that proves the content) is feedback/seals.py.
"""

from proposals.guards import Guard

FORM = Guard(
    table="feedback_feedback",
    name="feedback_feedback_sealed",
    sealed=(
        # 'issued' is replies.models.ReplyStatus.ISSUED, literal so the trigger's SQL never changes.
        "OLD.submitted_at IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM replies_reply r WHERE r.id = OLD.reply_id AND r.status = 'issued')"
    ),
    mutable=("received_by_id", "received_at"),
    mutable_ok={
        "sqlite": "(NEW.received_at IS OLD.received_at AND NEW.received_by_id IS OLD.received_by_id) OR "
        "(OLD.received_at IS NULL AND OLD.received_by_id IS NULL "
        "AND NEW.received_at IS NOT NULL AND NEW.received_by_id IS NOT NULL)",
        "postgresql": "(NEW.received_at IS NOT DISTINCT FROM OLD.received_at "
        "AND NEW.received_by_id IS NOT DISTINCT FROM OLD.received_by_id) OR "
        "(OLD.received_at IS NULL AND OLD.received_by_id IS NULL "
        "AND NEW.received_at IS NOT NULL AND NEW.received_by_id IS NOT NULL)",
    },
    message="feedback_feedback: a submitted form is sealed; only the receipt may be filled in, once",
)

CORRECTION = Guard(
    table="feedback_feedbackcorrection",
    name="feedback_correction_sealed",
    sealed="1 = 1",
    message="feedback_feedbackcorrection: a correction is a record of its own and is never changed",
)

GUARDS = [FORM, CORRECTION]
