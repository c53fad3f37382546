"""The render workers of batch printing (printing.batch): HTML in, PDF bytes out.

Kept apart from printing.batch because a spawned worker imports this module before Django
is set up: nothing here may import models at module level. A worker never touches the
database; printing.pdf keeps one FontConfiguration per process, so each worker has its
own, warm from one document to the next (a forked worker starts from a copy of its
parent's, a spawned one builds it on its first render).
"""

import time


def start():
    """Pool initializer: set Django up in a spawned worker (a forked one already is)."""
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def render(args):
    """(PDF bytes, render ms) of one document; PrintError travels back to the caller."""
    html, stylesheet, assets = args
    from . import pdf

    started = time.perf_counter()
    data = pdf.render_pdf(html, stylesheets=[stylesheet], assets=assets)
    return data, int((time.perf_counter() - started) * 1000)
