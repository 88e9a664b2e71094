from django.core.management.base import BaseCommand, CommandError

from bpo_portal.directory import demo


class Command(BaseCommand):
    help = (
        "Add synthetic demo providers (marked is_demo, citing a 'Generated demo data' source) "
        "for load and scale tests. Refuses a database curators have worked on unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--providers", type=int, help="How many demo providers to add.")
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same data.")
        parser.add_argument("--force", action="store_true", help="Run even on curated data.")
        parser.add_argument("--clear", action="store_true", help="Remove all demo providers.")

    def handle(self, *args, providers, seed, force, clear, **options):
        if clear:
            self.stdout.write(f"Removed {demo.clear()} demo providers.")
            return
        if not providers or providers < 1:
            raise CommandError("Say how many with --providers N (N ≥ 1).")
        if demo.has_curated_data() and not force:
            raise CommandError(
                "This database holds curated data (admin edits or providers added by hand). "
                "Demo providers would mix with it; use a separate database, or --force."
            )

        def progress(done, total, seconds):
            self.stdout.write(f"  {done:,}/{total:,} providers ({seconds:.1f} s)")

        try:
            demo.generate(providers, seed=seed, progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Added {providers:,} demo providers (seed {seed})."))
