import os
import sys

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure the writer can log in to the admin: if no superuser exists, create one "
        "from DJANGO_SUPERUSER_USERNAME/_EMAIL/_PASSWORD, or interactively in a terminal."
    )

    def handle(self, *args, **options) -> None:
        if get_user_model().objects.filter(is_superuser=True).exists():
            self.stdout.write("The writer's admin account exists.")
        elif os.environ.get("DJANGO_SUPERUSER_USERNAME") and os.environ.get(
            "DJANGO_SUPERUSER_PASSWORD"
        ):
            call_command("createsuperuser", interactive=False, verbosity=options["verbosity"])
        elif sys.stdin.isatty():
            self.stdout.write("Create the writer's admin account:")
            call_command("createsuperuser")
        else:
            self.stderr.write(
                "No admin account yet. Run `.venv/bin/python manage.py createsuperuser` in a "
                "terminal, or set DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_EMAIL and "
                "DJANGO_SUPERUSER_PASSWORD."
            )
