"""Domain events of the replies app, for apps that depend on it (feedback sends links and e-mails).

Sent after the transaction that caused them commits, so receivers never see rolled-back work:
    transaction.on_commit(lambda: reply_issued.send(sender=Reply, reply=reply, by=user))
"""

from django.dispatch import Signal

# A reply was issued to the members: kwargs reply, by (the user who issued it).
reply_issued = Signal()

# The signer (or the reviewing supervisor) handed a draft back to its drafter: kwargs reply, by, note.
reply_sent_back = Signal()

# The drafter took back a draft that was waiting for 签发: kwargs reply, by, note.
reply_withdrawn = Signal()
