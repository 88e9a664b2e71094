from django import template

from bpo_portal.portal.navigation import MAIN, MORE, menu_items

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    return menu_items(MAIN, getattr(context.get("request"), "path", None))


@register.simple_tag
def all_sections():
    return menu_items(MAIN + MORE)
