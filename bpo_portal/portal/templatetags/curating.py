"""Tags of the admin's pages."""

from django import template

from bpo_portal.portal.models import Suggestion
from bpo_portal.sources.admin import CITATIONS_HOLD

register = template.Library()


@register.inclusion_tag("admin/suggestion_beside.html", takes_context=True)
def suggestion_beside(context):
    """What a reader wrote, on the page of the record opened from their correction."""
    request = context.get("request")
    wanted = request.GET.get("_suggestion", "") if request is not None else ""
    suggestion = Suggestion.objects.filter(pk=wanted).first() if wanted.isdigit() else None
    return {"suggestion": suggestion, "held": bool(request and request.POST.get(CITATIONS_HOLD))}
