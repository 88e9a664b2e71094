from django.conf import settings
from django.core.management.base import BaseCommand

from bpo_portal.portal.knowledge import KnowledgeLoader, read_knowledge


class Command(BaseCommand):
    help = (
        "Load the cited knowledge base from fixtures/knowledge.yaml. Adds what is missing; "
        "never changes a row that exists and never restores one a curator deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=settings.KNOWLEDGE_FILE, help="YAML file to load.")

    def handle(self, *args, **options):
        created = KnowledgeLoader(read_knowledge(options["file"])).load()
        if not created:
            self.stdout.write("Knowledge base already up to date: nothing added.")
            return
        summary = ", ".join(f"{count} {name}" for name, count in sorted(created.items()))
        self.stdout.write(self.style.SUCCESS(f"Added {summary}."))
