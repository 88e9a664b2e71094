"""Facet links: each is the page's query string with one parameter changed."""

from django.http import QueryDict
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from bpo_portal.core.filtering import toggle_links

QUERYSTRING = Template("{% querystring query params page=None %}")
NAMES = ["service", "city", "page", "kind", "q"]
TEXT = st.text(alphabet="ab é&=+%?#", max_size=4)


@given(
    pairs=st.lists(st.tuples(st.sampled_from(NAMES), TEXT), max_size=8),
    name=st.sampled_from(NAMES[:2] + NAMES[3:]),
    value=st.none() | TEXT | st.lists(TEXT, max_size=3),
)
def test_a_facet_link_is_what_the_querystring_tag_writes(pairs, name, value):
    query = QueryDict(mutable=True)
    for key, text in pairs:
        query.appendlist(key, text)
    expected = QUERYSTRING.render(Context({"query": query, "params": {name: value}}))
    assert toggle_links(query, name)(value) == expected.replace("&amp;", "&")
