"""Pages of the replies app: contacts with the member, co-handling opinions, drafting the reply
letter and its way through 签发, review, the sealed scan and delivery, and paragraph templates.

Access as in the proposals app: objects come from the user's scope (404 outside it), acting on
what one may only see is 403, and each state change is one model method that refuses a step the
current state does not allow.
"""
