"""The Curators group: may add, change and view every kind of knowledge, and delete nothing."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from bpo_portal.core.kinds import knowledge_models

GROUP = "Curators"
ACTIONS = ("add", "change", "view")


def curated_models():
    """Every kind of knowledge and its history, and readers' suggestions."""
    from bpo_portal.portal.models import Suggestion

    models = set(knowledge_models()) | {Suggestion}
    return models | {m.history.model for m in models if hasattr(m, "history")}


def sync_curators_group(using="default", **kwargs):
    """After every migrate: give the group the add/change/view permissions of every kind of
    knowledge (history included), so a kind added later is covered without a data migration."""
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    wanted = Permission.objects.using(using).filter(
        content_type__in=ContentType.objects.db_manager(using)
        .get_for_models(*curated_models())
        .values(),
        codename__regex=r"^(" + "|".join(ACTIONS) + r")_",
    )
    group.permissions.add(*wanted)


def ensure_search_index(using="default", **kwargs):
    """After a migrate that created the search index over existing records: fill it once."""
    from django.db import connections

    from bpo_portal.core import search
    from bpo_portal.core.models import SearchDocument

    tables = connections[using].introspection.table_names()
    if SearchDocument._meta.db_table not in tables or SearchDocument.objects.using(using).exists():
        return
    if any(kind.model._meta.db_table not in tables for kind in search.indexed_kinds()):
        return
    if any(kind.model.objects.using(using).exists() for kind in search.indexed_kinds()):
        search.rebuild()
