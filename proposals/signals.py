"""Domain events of the proposals app, for the apps above it (people are told through proposals.notices).

Sent after the transaction that caused them commits, so receivers never see rolled-back work.
"""

from django.dispatch import Signal

# A return or extension request was decided: kwargs request (AssignmentRequest), by (the deciding user).
request_decided = Signal()
