"""Where each person's day starts: the role homes (what is waiting for them, with the next step)
and the clerks' and offices' inbox.

Its own app because a home gathers work from every app below it (proposals, replies, feedback);
the pages it links to belong to those apps. Nothing imports it.
"""
