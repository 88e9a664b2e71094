import yaml
from django.conf import settings
from django.db import migrations, models


def fill_from_knowledge_file(apps, schema_editor):
    """Sources loaded before the field existed take what the knowledge file says of them; a
    curator's note, or a source the file does not name, is left alone."""
    try:
        with open(settings.KNOWLEDGE_FILE, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except FileNotFoundError:
        return
    Source = apps.get_model("sources", "Source")
    for item in data.get("sources") or []:
        if item.get("what_is_known"):
            Source.objects.filter(slug=item["slug"], what_is_known="").update(
                what_is_known=item["what_is_known"]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0003_sources_of_any_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalsource",
            name="what_is_known",
            field=models.TextField(
                blank=True,
                help_text="Where details are missing: what is known of the source (where its title comes from, who wrote it) and why the rest is not, in our words. Shown on its page in place of the bare “not recorded” lines.",
                verbose_name="what is known of it",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="what_is_known",
            field=models.TextField(
                blank=True,
                help_text="Where details are missing: what is known of the source (where its title comes from, who wrote it) and why the rest is not, in our words. Shown on its page in place of the bare “not recorded” lines.",
                verbose_name="what is known of it",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="file_name",
            field=models.CharField(
                blank=True,
                help_text="For the articles kept beside the knowledge base; for curators only, never shown to readers.",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="file_name",
            field=models.CharField(
                blank=True,
                help_text="For the articles kept beside the knowledge base; for curators only, never shown to readers.",
                max_length=100,
            ),
        ),
        migrations.RunPython(fill_from_knowledge_file, migrations.RunPython.noop),
    ]
