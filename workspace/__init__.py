"""The daily tool of clerks, signers, the committee office and supervisors.

Its own app because it is the one place that shows a proposal with everything around it
(assignments, contacts, replies, co-handling opinions, feedback, timeline) and so depends on
all the others: workspace → feedback → replies → proposals. Nothing imports it.
"""
