from functools import lru_cache

from django.utils.text import slugify


class Footnotes:
    """Numbers the citations a page shows, in the order it shows them, each number once, and
    notes each place that points to a footnote, for the footnote's links back to it."""

    def __init__(self):
        self.entries = []
        self._numbers = {}
        self._places = {}

    def mark(self, citations):
        """[(number, id of this marker)] for the citations of one marker in the text."""
        marks = []
        for citation in citations:
            if citation.pk not in self._numbers:
                self.entries.append(citation)
                self._numbers[citation.pk] = len(self.entries)
            number = self._numbers[citation.pk]
            places = self._places.setdefault(number, [])
            places.append(f"ref-{number}-{len(places) + 1}")
            marks.append((number, places[-1]))
        return marks

    def listed(self):
        """[(number, citation, [(marker id, its letter)])]: each footnote with the places that
        cite it, lettered a, b, c… when there are several (one place needs no letter)."""
        return [
            (number, citation, lettered(self._places.get(number, [])))
            for number, citation in enumerate(self.entries, start=1)
        ]


def lettered(places):
    if len(places) < 2:
        return [(place, "") for place in places]
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        (place, letters[i] if i < len(letters) else str(i + 1)) for i, place in enumerate(places)
    ]


@lru_cache(maxsize=4096)
def section_anchor(heading):
    return "section-" + (slugify(heading) or "untitled")


def footnotes(request):
    """Context processor: a fresh set of footnotes for every rendered page."""
    return {"footnotes": Footnotes()}
