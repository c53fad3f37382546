"""URLs for load tests only (BANLI_BENCH=1): the app's own URLs plus a bare page.

`/bench/bare/` renders a small template through the whole middleware stack with no database
query: the most requests per second this machine can serve, against which bench/load.py
compares the real pages. It is never routed in production (ROOT_URLCONF is config.urls).
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import path

from .urls import urlpatterns as app_urlpatterns


@login_not_required
def bare(request):
    return render(request, "bench/bare.html", {"n": 20})


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *app_urlpatterns]
