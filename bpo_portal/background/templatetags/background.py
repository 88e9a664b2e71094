from django import template

from bpo_portal.background import selectors

register = template.Library()


@register.simple_tag
def service_line_background(line):
    """{% service_line_background line as related %}: industries and technologies tied to it."""
    return selectors.related_to_service_line(line=line)
