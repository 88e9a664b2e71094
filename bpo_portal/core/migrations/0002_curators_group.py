from django.db import migrations


class Migration(migrations.Migration):
    """Once made the Curators group; bpo_portal.portal now keeps it in step after every migrate,
    so that it covers knowledge models added later too."""

    dependencies = [("core", "0001_initial")]

    operations = []
