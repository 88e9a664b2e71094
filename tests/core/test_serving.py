"""The production gunicorn settings: a worker reads what it keeps before its first request,
and the garbage collector runs between requests."""

import gc
import runpy
from pathlib import Path

import pytest

CONF = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))


@pytest.fixture
def collections():
    """The generations collected, with automatic collection off and the thresholds restored."""
    collected, thresholds, enabled = [], gc.get_threshold(), gc.isenabled()

    def note(phase, info):
        if phase == "start":
            collected.append(info["generation"])

    gc.disable()
    gc.collect()
    gc.callbacks.append(note)
    try:
        yield collected
    finally:
        gc.callbacks.remove(note)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()


def after_request():
    CONF["post_request"](None, None, {}, None)


def test_after_a_response_the_due_collection_runs_the_oldest_generation_due(collections):
    after_request()
    assert collections == []  # nothing allocated since the last collection: none is due

    kept = [[n] for n in range(CONF["COLLECT_BETWEEN"][0] + 100)]
    after_request()
    assert collections == [0] and gc.get_count()[0] < len(kept)

    for generation, younger in ((1, 0), (2, 1)):
        collections.clear()
        for _ in range(CONF["COLLECT_BETWEEN"][generation]):
            gc.collect(younger)
        collections.clear()
        after_request()
        assert collections == [generation]


@pytest.mark.django_db
def test_a_ready_worker_collects_during_a_request_only_when_it_makes_very_many_objects(
    collections,
):
    CONF["post_worker_init"](None)
    assert gc.get_threshold()[0] == CONF["COLLECT_DURING"][0] >= 100_000
    assert gc.get_freeze_count() > 0


@pytest.mark.django_db
def test_a_ready_worker_has_read_and_compiled_what_pages_use(
    collections, django_assert_num_queries
):
    from django.forms.renderers import get_default_renderer
    from django.template import engines

    from bpo_portal.background.templatetags.glossary import term_pattern
    from bpo_portal.core.caching import current_version, forget_per_version
    from bpo_portal.directory.selectors import reference_rows
    from bpo_portal.sector.selectors import figure_disagreements
    from bpo_portal.sector.templatetags.disputes import disputed_records
    from bpo_portal.sources.selectors import sources_by_pk

    (templates,) = engines["django"].engine.template_loaders
    (widgets,) = get_default_renderer().engine.engine.template_loaders
    forget_per_version()
    templates.reset()
    widgets.reset()
    CONF["post_worker_init"](None)
    version = current_version()
    with django_assert_num_queries(0):
        for kept in (
            term_pattern,
            reference_rows,
            sources_by_pk,
            figure_disagreements,
            disputed_records,
        ):
            kept(version)
    assert {"sector/statistic_list.html", "includes/disagreement.html"} <= set(
        templates.get_template_cache
    )
    assert "django/forms/widgets/select.html" in widgets.get_template_cache
