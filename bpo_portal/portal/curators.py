"""The Curators group: may add, change and view every kind of knowledge, and delete nothing."""

from django.contrib.auth.models import Group, Permission

from bpo_portal.core.kinds import knowledge_models

GROUP = "Curators"
ACTIONS = ("add", "change", "view")


def knowledge_apps():
    return {model._meta.app_label for model in knowledge_models()}


def sync_curators_group(using="default", **kwargs):
    """After every migrate: give the group every add/change/view permission of the knowledge
    apps (history included), so a kind added later is covered without a data migration."""
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    wanted = Permission.objects.using(using).filter(
        content_type__app_label__in=knowledge_apps(),
        codename__regex=r"^(" + "|".join(ACTIONS) + r")_",
    )
    group.permissions.add(*wanted)
