"""``manage.py load_initial_data``: make a fresh database a working site.

It lives in the project package, the top layer, because it composes every app: courses, then
certification tracks, then the demo accounts and their learning.

Imports the shipped curriculum from ``content/``, then its certification tracks
(``content/certification-tracks.yaml``, when the folder has one), and creates one demo account
per role, printing their passwords, with a demo cohort (trainer and practitioner) and a
coordinator's region. Safe to run again: both imports are idempotent and the demo passwords are
reset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from accounts.api import demo_accounts_create
from certification.api import TRACKS_FILE_NAME
from learners.api import demo_learning_create
from reports.api import demo_people_count, demo_people_generate


class Command(BaseCommand):
    help = (
        "Import content/ (courses, then certification tracks) and create the demo accounts (one "
        "per role), printing their passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--content", type=Path, default=settings.BASE_DIR / "content",
            help="the curriculum folder to import (default: content/)",
        )  # fmt: skip
        parser.add_argument("--no-demo-accounts", action="store_true")
        parser.add_argument(
            "--demo-people", type=int, default=0, metavar="N",
            help="also make N synthetic practitioners for the dashboard, unless there are some "
            "already (make run asks for 300; manage.py generate_demo_people makes more)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        content: Path = options["content"]
        call_command("import_curriculum", str(content), verbosity=options["verbosity"])
        # A content folder without the file (a test's sample curriculum, one course folder)
        # simply has no tracks.
        tracks = content / TRACKS_FILE_NAME
        if tracks.is_file():
            call_command("import_tracks", str(tracks), verbosity=options["verbosity"])
        if options["no_demo_accounts"]:
            return
        accounts = demo_accounts_create()
        demo_learning_create()
        # Synthetic people once: a second `make run` finds them and makes no more.
        if options["demo_people"] > 0 and not demo_people_count():
            made = demo_people_generate(practitioners=options["demo_people"])
            self.stdout.write(
                f"Made {made.practitioners} synthetic practitioners (demo-NNNNNN@example.invalid) "
                "with their learning and certificates, for the dashboard."
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (passwords are new on every run):"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<22} username: {account.username:<14} "
                              f"password: {account.password}")  # fmt: skip
        self.stdout.write("Sign in at http://127.0.0.1:8000/en/accounts/login/ "
                          "(the CMS is at http://127.0.0.1:8000/admin/).")  # fmt: skip
