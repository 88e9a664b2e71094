"""What the apps above the directory add to its pages.

A page lives with the models it shows, but some of the directory's pages also show what an app
above it holds (the incentives an organisation runs, the sources' statements about markets),
which the directory may not import. Those apps register a function for the page with
`adds_to`, in their `ready()`; the page's view adds what they return to its context.
"""

from collections import defaultdict

_additions = defaultdict(list)


def adds_to(page):
    """Decorator: `function(**rows)` returns more context for the directory page `page`."""

    def register(function):
        if function not in _additions[page]:
            _additions[page].append(function)
        return function

    return register


def additions(page, **rows):
    """The context every app registered for `page` adds, given the page's `rows`."""
    context = {}
    for function in _additions[page]:
        context.update(function(**rows))
    return context
