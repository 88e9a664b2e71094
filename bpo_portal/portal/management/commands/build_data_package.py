from django.core.management.base import BaseCommand

from bpo_portal.portal.downloads import package


class Command(BaseCommand):
    help = (
        "Build the open-data package of the current data version, if it is not built yet "
        "(after a deploy or a bulk load, so that no reader has to wait for it)."
    )

    def handle(self, *args, **options):
        built = package()
        self.stdout.write(f"Data version {built.version}: {built.folder}")
