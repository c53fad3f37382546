"""Printing: the one place that turns replies and feedback forms into paper (PDF, DOCX).

Its own app because both `replies` and `feedback` print through it (DESIGN.md §4–5): the
PDF engine, its fonts and its URL fetcher, the stored renders (one per content version)
and batch printing live here, and depend on the apps they print, never the other way.
"""
