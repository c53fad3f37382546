"""Legacy reply import: old reply letters (.txt, .docx) read into draft records for a person to review.

Its own app because it is a one-way tool on top of the domain: it reads documents and writes
proposals, replies and feedback through their models, while nothing in the workflow depends on it.
Dependencies: legacy → feedback → replies → proposals.
"""
