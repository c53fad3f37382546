"""What every page of the workflow does the same way: refuse, and show a small form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render


def require(allowed):
    """Seen but not allowed: 403 (404 was already answered to those who cannot see it)."""
    if not allowed:
        raise PermissionDenied


def refuse(request, obj, message):
    """A step the record's state does not allow: say why, change nothing, go back to the record."""
    messages.error(request, message)
    return redirect(obj.get_absolute_url())


def form_page(request, *, title, form, back, submit_label, intro="", multipart=False, danger=False):
    """One template for the small forms (return, extension, contact, opinion, decision, …)."""
    context = {
        "title": title,
        "form": form,
        "back": back,
        "submit_label": submit_label,
        "intro": intro,
        "multipart": multipart,
        "danger": danger,
    }
    return render(request, "form_page.html", context)


def confirm_page(request, *, title, message, back, submit_label, form=None, details=(), danger=True, status=200):
    """The confirmation step of an action that cannot be undone (签发, 撤回, …): GET shows it, POST acts.

    The record's page may offer the same form in a <dialog> (includes/confirm_dialog.html); this
    page is what a browser without JavaScript, or a direct link, gets.
    """
    context = {
        "title": title,
        "message": message,
        "details": list(details),
        "back": back,
        "submit_label": submit_label,
        "form": form,
        "danger": danger,
    }
    return render(request, "confirm_page.html", context, status=status)
