from django.conf import settings
from django.core.management.base import BaseCommand

from bpo_portal.portal.knowledge import KnowledgeLoader, read_knowledge


class Command(BaseCommand):
    help = (
        "Load the cited knowledge base from fixtures/knowledge.yaml. Adds what is missing and "
        "brings up to date what no curator has changed since it was loaded; never changes a "
        "curator's edit and never restores a row a curator deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=settings.KNOWLEDGE_FILE, help="YAML file to load.")

    def handle(self, *args, **options):
        loader = KnowledgeLoader(read_knowledge(options["file"]))
        loader.load()
        for key, reason in loader.skipped:
            self.stderr.write(self.style.WARNING(f"Left out {key}: {reason}"))
        if not loader.created and not loader.updated:
            self.stdout.write("Knowledge base already up to date: nothing added.")
            return
        for verb, counts in (("Added", loader.created), ("Brought up to date", loader.updated)):
            if counts:
                summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
                self.stdout.write(self.style.SUCCESS(f"{verb} {summary}."))
