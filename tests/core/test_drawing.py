"""The geometry of the statistics charts: every label inside the drawing, text large enough on a
phone, figures in time order, ranges drawn as ranges, one series per scope, and no chart for a
figure on its own."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpo_portal.core import drawing
from bpo_portal.core.drawing import Point, panels, rendered_font_size, text_width, time_chart

PHONE_COLUMN = 328  # a 360 px wide phone, less the page's margins of 16 px on each side
ASCENT, DESCENT = 0.95, 0.3  # of the font size, above and below the baseline


def point(value, *, when=1, scope="scope", upper=None, label=None, value_label=None, item=None):
    label = label or f"Period {when}"
    return Point(
        item=item if item is not None else label,
        scope=scope,
        when=when,
        value=value,
        upper=upper,
        label=label,
        value_label=value_label or f"{value}",
    )


def drawn_texts(chart):
    """Every text drawn, as (left, right, top, bottom) edges in viewBox units."""
    size = chart["font_size"]
    for row in chart["rows"]:
        for line in row.lines:
            left = chart["pad"]
            right = left + text_width(line.text, size, bold=line.bold)
            yield left, right, line.y - ASCENT * size, line.y + DESCENT * size
        if row.value_x is not None:
            right = row.value_x + text_width(row.value_text, size, bold=True)
            yield row.value_x, right, row.value_y - ASCENT * size, row.value_y + DESCENT * size


def assert_inside(chart):
    """Every text and bar lies within the viewBox, and no text runs into a bar."""
    width, height = chart["width"], chart["height"]
    for left, right, top, bottom in drawn_texts(chart):
        assert left >= 0 and right <= width, (left, right, width)
        assert top >= 0 and bottom <= height, (top, bottom, height)
    for row in chart["rows"]:
        assert row.bar_x >= 0 and row.bar_x + row.bar_width <= width
        if row.range_width is not None:
            assert row.range_x >= 0 and row.range_x + row.range_width <= width
        assert row.bar_y + row.bar_height <= height
        last_line = row.lines[-1]
        assert last_line.y + DESCENT * chart["font_size"] <= row.bar_y  # labels sit above the bar
        if row.value_x is not None:  # the value starts after the end of the bar and its range
            end = row.bar_x + row.bar_width
            if row.range_width is not None:
                end = max(end, row.range_x + row.range_width)
            assert row.value_x > end


@pytest.mark.django_db
def test_the_longest_labels_in_the_knowledge_base_fit():
    from bpo_portal.sector.models import Statistic
    from bpo_portal.sector.selectors import point as statistic_point
    from bpo_portal.sector.selectors import statistics, statistics_page
    from bpo_portal.sources.models import Source

    groups, _ = statistics_page(statistics(), sources=Source.objects.in_bulk(), disputes={})
    points = [statistic_point(s) for _, figures, _ in groups for s in figures]
    assert len(points) == Statistic.objects.count() >= 10
    longest_label = max(points, key=lambda p: len(p.label))
    longest_value = max(points, key=lambda p: len(p.value_label))
    top = max(p.upper or p.value for p in points)
    worst = [
        # the longest period with every mark, and the longest value on the largest bar
        point(top, when=1, label=f"{longest_label.label} · forecast · superseded · ⚠ disputed"),
        point(top, when=2, value_label=longest_value.value_label, upper=top * 1.2),
        point(1, when=3, value_label=longest_value.value_label),
    ]
    everything = [
        point(p.value, when=n, upper=p.upper, label=p.label, value_label=p.value_label)
        for n, p in enumerate(points)
    ]
    for chart in (time_chart(worst), time_chart(everything)):
        assert_inside(chart)
    assert time_chart(everything)["values_at_ends"]  # short values stay at the ends of bars


labels = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzMW%$0123456789 –·,.()⚠"), max_size=90
).filter(str.strip)
values = st.floats(min_value=-99, max_value=1e6, allow_nan=False)


@given(
    st.lists(
        st.tuples(labels, labels, values, st.one_of(st.none(), st.floats(0, 1e6))),
        min_size=1,
        max_size=8,
    )
)
def test_labels_and_bars_fit_whatever_the_labels_and_values(rows):
    points = [
        point(
            value,
            when=n,
            label=label,
            value_label=value_label,
            upper=None if extra is None or value < 0 else value + extra,
        )
        for n, (label, value_label, value, extra) in enumerate(rows)
    ]
    assert_inside(time_chart(points))


def test_a_long_label_wraps_rather_than_running_off_the_edge():
    label = "Over ten years to the end of a fiscal year the sources do not name, " * 3
    chart = time_chart([point(1, when=1, label=label), point(2, when=2)])
    assert len(chart["rows"][0].lines) > 2
    assert " ".join(line.text for line in chart["rows"][0].lines) == " ".join(label.split())
    assert_inside(chart)


def test_long_values_move_above_their_bars_when_they_would_squeeze_them():
    long_value = "around US$1,234,567.891 billion, as the board counts it"
    chart = time_chart([point(1, when=1, value_label=long_value), point(2, when=2)])
    assert not chart["values_at_ends"]
    assert " ".join(line.text for line in chart["rows"][0].lines if line.bold) == long_value
    assert_inside(chart)


def test_text_is_at_least_12_px_on_a_phone():
    assert drawing.CHART_MAX_WIDTH >= PHONE_COLUMN  # the chart fills the phone's column
    assert rendered_font_size(PHONE_COLUMN) >= 12
    chart = time_chart([point(1, when=1), point(2, when=2)])
    assert chart["font_size"] * PHONE_COLUMN / chart["width"] >= 12
    assert chart["font_size"] * 320 / chart["width"] >= 12  # a 360 px phone with wider margins


def test_text_widths_are_estimated_generously():
    size = 13
    # Wider than DejaVu Sans, one of the widest common sans-serif fonts (0.63 em for "0", 0.61 em
    # for "o", 0.99 em for "W", 0.32 em for a space, in its own metrics).
    assert text_width("0000000000", size) >= 10 * 0.636 * size
    assert text_width("oooooooooo", size) >= 10 * 0.612 * size
    assert text_width("WWWWW", size) >= 5 * 0.989 * size
    assert text_width("a b", size) >= (0.613 * 2 + 0.318) * size
    assert text_width("US$1.948 billion", size, bold=True) > text_width("US$1.948 billion", size)


def test_periods_are_drawn_in_time_order_and_figures_without_a_year_beside():
    points = [point(n, when=(2000 + n, 6)) for n in range(1, 7)]
    undated = [point(9, when=None, label="Not stated"), point(8, when=None, label="Over 5 years")]
    shuffled = points + undated
    random.Random(4).shuffle(shuffled)
    (panel,) = panels(shuffled)
    assert [row.item for row in panel.chart["rows"]] == [p.item for p in points]
    assert [row.bar_y for row in panel.chart["rows"]] == sorted(
        row.bar_y for row in panel.chart["rows"]
    )  # oldest at the top
    assert {p.label for p in panel.undated} == {"Not stated", "Over 5 years"}
    assert panel.points[-2:] == panel.undated
    assert [p.item for p in panel.dated] == [p.item for p in points]


def test_bars_are_in_proportion_and_a_range_is_drawn_from_its_low_to_its_high_end():
    chart = time_chart(
        [point(20, when=1), point(50, when=2, upper=60, value_label="50–60%"), point(40, when=3)]
    )
    plain, ranged, other = chart["rows"]
    scale = plain.bar_width / 20
    assert other.bar_width == pytest.approx(40 * scale, abs=0.2)
    assert ranged.bar_width == pytest.approx(50 * scale, abs=0.2)
    assert ranged.range_x == pytest.approx(ranged.bar_x + ranged.bar_width, abs=0.2)
    assert ranged.range_width == pytest.approx(10 * scale, abs=0.2)
    assert plain.range_width is None and other.range_width is None
    assert ranged.value_x > ranged.range_x + ranged.range_width
    assert_inside(chart)


def test_values_below_zero_are_drawn_left_of_the_axis():
    chart = time_chart([point(-10, when=1), point(30, when=2)])
    below, above = chart["rows"]
    assert below.bar_x + below.bar_width == pytest.approx(chart["zero"], abs=0.2)
    assert above.bar_x == pytest.approx(chart["zero"], abs=0.2)
    assert above.bar_width == pytest.approx(3 * below.bar_width, abs=0.3)
    assert_inside(chart)


def test_each_scope_is_a_series_of_its_own():
    points = [
        point(1, when=1, scope="exports", item="e1"),
        point(5, when=1, scope="exports with call centres", item="c1"),
        point(2, when=2, scope="exports", item="e2"),
        point(6, when=2, scope="exports with call centres", item="c2"),
        point(7, when=3, scope="exports with call centres", item="c3"),
    ]
    exports, with_call_centres = panels(points)
    assert exports.scope == "exports"
    assert [row.item for row in exports.chart["rows"]] == ["e1", "e2"]
    assert [row.item for row in with_call_centres.chart["rows"]] == ["c1", "c2", "c3"]


@pytest.mark.parametrize(
    "points",
    [
        [point(22, when=None)],
        [point(22, when=2020)],
        [point(22, when=2020), point(20, when=None)],  # one has no place on the time axis
        [point(22, when=None), point(20, when=None)],
    ],
)
def test_no_chart_without_two_figures_on_the_time_axis(points):
    (panel,) = panels(points)
    assert panel.chart is None
    assert [p.item for p in panel.points] == [p.item for p in points]
