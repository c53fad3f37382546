"""Member portal, one-time links, the feedback form, signatures, receipt, paper entry, verification.

Access: staff and members through `.visible_to(user)` (proposals.access); a one-time link
holder through the short session the link was exchanged for, which opens exactly one
member's form on one reply. Anything else is 404, and a refused id is logged.
"""
