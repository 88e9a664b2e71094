from django.db import migrations

from bpo_portal.directory.search import (
    POSTGRES_REVERSE,
    POSTGRES_SQL,
    SQLITE_REVERSE,
    SQLITE_SQL,
)

STATEMENTS = {
    "sqlite": (SQLITE_SQL, SQLITE_REVERSE),
    "postgresql": (POSTGRES_SQL, POSTGRES_REVERSE),
}


def run(index):
    def apply(apps, schema_editor):
        for statement in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[index]:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(run(0), run(1))]
