"""gunicorn's logger with one-time link tokens taken out of the access log (see config/logs.py).

Used by deploy/gunicorn.conf.py (`logger_class`): every atom of the access log format (the
request line, the path, the query, the referer, any header) goes through `redact()`.
"""

from gunicorn.glogging import Logger

from config.logs import redact


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}
