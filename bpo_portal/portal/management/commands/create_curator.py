import getpass
import os
import sys

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

PASSWORD_VARIABLE = "CURATOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff account in the Curators group. Asks for the password twice; with "
        f"--noinput it is read from the {PASSWORD_VARIABLE} environment variable."
    )
    stealth_options = ("stdin",)  # tests pass one that is a terminal

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Ask nothing: read the password from {PASSWORD_VARIABLE}.",
        )

    def handle(self, *args, username, email, interactive, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account called {username!r} already exists.")
        stdin = options.get("stdin", sys.stdin)
        password = self.ask_password(stdin) if interactive else self.password_from_environment()
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name="Curators"))
        self.stdout.write(self.style.SUCCESS(f"Curator {username} created; sign in at /admin/."))

    def ask_password(self, stdin):
        if not stdin.isatty():
            raise CommandError(
                "There is no terminal to ask for the password. Run it with --noinput and the "
                f"password in the {PASSWORD_VARIABLE} environment variable."
            )
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("Stopped: no account was created.") from None
        if password != again:
            raise CommandError("The passwords differ: no account was created.")
        return password

    def password_from_environment(self):
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            raise CommandError(
                f"--noinput reads the password from the {PASSWORD_VARIABLE} environment "
                "variable, which is not set."
            )
        return password
