from django.contrib.auth.management import create_permissions
from django.db import migrations

KNOWLEDGE_APPS = ["sources", "directory", "sector"]
ACTIONS = ["add", "change", "view"]


def create_curators(apps, schema_editor):
    # Permissions are normally made after migrate; make them now so the group can use them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    wanted = Permission.objects.filter(content_type__app_label__in=KNOWLEDGE_APPS).filter(
        codename__regex=r"^(" + "|".join(ACTIONS) + r")_"
    )
    group.permissions.add(*wanted)


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
        ("directory", "0001_initial"),
        ("sector", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
