from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_search_few_kinds_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataversion",
            name="changed",
            field=models.JSONField(default=dict),
        ),
    ]
