"""`manage.py reset_second_factor USERNAME`: the way back in for someone (a superuser too) whose
phone and recovery codes are both gone. They set up the second factor again at their next sign-in."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import second_factor


class Command(BaseCommand):
    help = "Remove a user's second-factor devices and end their sessions."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        second_factor.reset(user)
        self.stdout.write(f"{username}: second factor reset; they enrol again at their next sign-in.")
