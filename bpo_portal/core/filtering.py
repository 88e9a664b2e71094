"""FilterSets that never fail a page: rejected values are dropped and reported."""

from django.contrib import messages


def without_invalid(data, form_errors):
    """Query data with the parameters the form rejected left out, and a message for each."""
    cleaned = data.copy()
    notices = []
    for field, errors in form_errors.items():
        values = ", ".join(f"“{value}”" for value in data.getlist(field)) or "this value"
        notices.append(f"Ignored {field}={values}: {' '.join(errors)}")
        cleaned.pop(field, None)
    return cleaned, notices


def apply_filter(filter_class, data, queryset):
    """Return (filterset, the data it used, notices about values that were left out)."""
    filterset = filter_class(data, queryset=queryset)
    notices = []
    if not filterset.is_valid():
        data, notices = without_invalid(data, filterset.form.errors)
        filterset = filter_class(data, queryset=queryset)
        filterset.is_valid()
    return filterset, data, notices


def filter_request(request, filter_class, queryset):
    """Filter `queryset` by the request's query string, reporting ignored values on the page."""
    filterset, data, notices = apply_filter(filter_class, request.GET, queryset)
    for notice in notices:
        messages.warning(request, notice)
    return filterset, data


def text_param(request, name, max_length=200):
    """A free-text query parameter, stripped of NUL bytes (which databases refuse) and cut short."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_length]
