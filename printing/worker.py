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
    from . import pdf

    pdf._RENDERS_HERE.set()  # a worker renders itself, never through a render process of its own


def serve(conn, nice):
    """The render process of a web process (printing.pdf.RenderProcess): render each job sent
    down `conn`, answer ("ok", PDF bytes) or ("error", what failed); end when the web process
    closes its end (or ends)."""
    import logging
    import os

    start()
    if nice:
        os.nice(nice)
    from . import pdf

    while True:
        try:
            html, stylesheets, assets, compact = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", pdf._write_pdf_now(html, stylesheets, assets, compact))
        except pdf.PrintError as exc:  # already a message for the user
            answer = ("error", str(exc))
        except Exception as exc:  # the web process words it, in its user's language
            logging.getLogger("printing.pdf").error("PDF rendering failed", exc_info=exc)
            answer = ("failed", type(exc).__name__)
        conn.send(answer)


def render(args):
    """(PDF bytes, render ms) of one document; PrintError travels back to the caller."""
    html, stylesheet, assets = args
    from . import pdf

    started = time.perf_counter()
    data = pdf.render_pdf(html, stylesheets=[stylesheet], assets=assets)
    return data, int((time.perf_counter() - started) * 1000)
