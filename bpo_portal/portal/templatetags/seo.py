"""Template tags for what a page tells search engines and sharing sites about itself.

- `{% capture name %}…{% endcapture %}` keeps what a part of the page renders to (its title,
  its description) to use again, in the `<title>` and in the sharing tags, with spaces tidied.
- `{% canonical_url as url %}` gives the page's canonical address, or "" on an error page.
- `{% json_ld "provider" profile.provider %}` writes the page's schema.org data blocks.
"""

from django import template
from django.core.paginator import Page
from django.utils.safestring import mark_safe

from bpo_portal.portal import seo

register = template.Library()


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        # The rendered text is already escaped; joining its words adds no markup.
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))
        return ""


@register.tag
def capture(parser, token):
    """{% capture name %}…{% endcapture %}: render the part once, keep it as `name`."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("Use {% capture name %}…{% endcapture %}.")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's canonical address, built from its path and page number; "" on error pages."""
    request = context.get("request")
    if request is None or seo.is_error_page(context.template_name):
        return ""
    page = context.get("page")
    return seo.canonical_url(request, page.number if isinstance(page, Page) else None)


@register.simple_tag(takes_context=True)
def json_ld(context, what, subject=None):
    """The schema.org data blocks of a page kind (`what`) for what the page shows."""
    request = context.get("request")
    if request is None:
        return ""
    return seo.json_ld_scripts(seo.structured_data(request, what, subject))
