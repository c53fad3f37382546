"""Domain events of the replies app, for apps that depend on it (feedback sends links and e-mails).

Sent after the transaction that caused them commits, so receivers never see rolled-back work:
    transaction.on_commit(lambda: reply_issued.send(sender=Reply, reply=reply, by=user))
"""

from django.dispatch import Signal

# A reply was issued to the members: kwargs reply, by (the user who issued it).
reply_issued = Signal()
