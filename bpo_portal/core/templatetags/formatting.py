from django import template

from bpo_portal.core.filtering import lowerfirst as lowerfirst_text

register = template.Library()


@register.filter
def lowerfirst(text):
    """'Technical support' -> 'technical support', but 'IT solutions' stays as it is."""
    return lowerfirst_text(text)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
