"""The supervision office's (督查室) own features: rates and charts, overdue lists and 催办,
Excel import and export, public disclosure and search.

A separate app because it reads across proposals, replies and feedback without belonging to
any of them; it may import from those apps, and nothing imports it.
"""
