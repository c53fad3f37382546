"""Pages of the proposals app: the list and the proposal page, registration and 交办, and what a
unit does with its assignment before it answers (签收, return and extension requests).

Access: every object is fetched from the user's scope (`get_visible_or_404`), so a stranger gets
404; a user who may see the object but not act on it gets 403. State rules live on the models
(`Proposal.assign`, `Assignment.sign_for`, …); a step the current state does not allow is refused
with a message and changes nothing.
"""
