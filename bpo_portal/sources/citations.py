from functools import lru_cache

from django.utils.text import slugify


class Footnotes:
    """Numbers the citations a page shows, in the order it shows them, each number once."""

    def __init__(self):
        self.entries = []
        self._numbers = {}

    def number(self, citations):
        numbers = []
        for citation in citations:
            if citation.pk not in self._numbers:
                self.entries.append(citation)
                self._numbers[citation.pk] = len(self.entries)
            numbers.append(self._numbers[citation.pk])
        return numbers


@lru_cache(maxsize=4096)
def section_anchor(heading):
    return "section-" + (slugify(heading) or "untitled")


def footnotes(request):
    """Context processor: a fresh set of footnotes for every rendered page."""
    return {"footnotes": Footnotes()}
