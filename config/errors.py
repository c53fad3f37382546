"""Error pages: every refusal is a page in the user's language, never Django's English default.

Django renders 403.html and 404.html itself, with the request; 500.html stands alone (it must
render when nothing else works). A 400 comes here so it can say what happened, with the request:
a body too large for Django's own limits (DATA_UPLOAD_MAX_*) is a 413, not a "bad request".
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render

from feedback.middleware import too_large


def bad_request(request, exception):
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return too_large(request)
    return render(request, "400.html", status=400)
