"""The group's page names the providers the sources tie to it by name: Ibex was TRG Customer
Solutions, and TRG Pakistan belongs to The Resource Group International."""

import pytest

from bpo_portal.directory.models import Provider, ProviderAlias

pytestmark = pytest.mark.django_db


def page(client):
    response = client.get("/organisations/the-resource-group-international/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_group_lists_ibex_by_its_former_name_with_its_citation(client):
    html = page(client)
    group = html[html.index('id="providers-heading"') : html.index('id="named-heading"')]
    assert '<a href="/providers/trg-pakistan/">TRG Pakistan</a>' in group
    named = html[html.index('id="named-heading"') :]
    named = named[: named.index("</section>")]
    assert '<a href="/providers/ibex/">Ibex</a>, former name TRG Customer Solutions<sup' in named
    assert "the sources do not say whether it belongs to the group" in named
    assert '<span class="ours">the link is our reading</span>' in named


def test_only_names_that_begin_with_the_groups_abbreviation_are_listed(client):
    ibex = Provider.objects.get(slug="ibex")
    ProviderAlias.objects.create(provider=ibex, name="TRGX Holdings", kind="alias")
    ProviderAlias.objects.create(provider=ibex, name="Pakistan TRG", kind="alias")
    named = page(client).split('id="named-heading"')[1].split("</section>")[0]
    assert named.count("<li>") == 1
    html = page(client)
    assert "Named like its group" not in (client.get("/organisations/pseb/").content.decode())
    assert html.count('href="/providers/ibex/"') == 1


def test_the_apps_above_add_what_they_hold_to_directory_pages(client):
    """The organisation and market pages are the directory's; the sector adds an organisation's
    incentives and figures, the background its statements about markets (directory/pages.py)."""
    page = client.get("/organisations/pseb/").content.decode()
    assert "Incentives it is responsible for" in page
    assert 'href="/statistics/' in page
    markets = client.get("/markets/").content.decode()
    assert "Home and abroad: what the sources say" in markets
