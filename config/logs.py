"""Link tokens never reach a log.

A one-time feedback link (/f/<token>/) opens a member's form: whoever reads it in a log could
sign in their place. `redact()` replaces the token in any text; `RedactLinkTokens` applies it
to every record Django logs (the "Not Found: /f/…" of a spent link, the development server's
request lines), and `config.gunicorn_log.AccessLogger` to gunicorn's access log. The nginx site
(deploy/nginx/banli.conf) logs a redacted request line of its own.
"""

import logging
import re

TOKEN = re.compile(r"/f/(?!form/)[^/\s\"'?#]+")
REDACTED = "/f/[redacted]"


def redact(text):
    return TOKEN.sub(REDACTED, text) if isinstance(text, str) else text


class RedactLinkTokens(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
