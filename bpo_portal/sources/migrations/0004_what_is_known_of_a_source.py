from django.db import migrations, models


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
    ]
