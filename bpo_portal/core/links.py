"""Addresses of pages, reversed once per process: lists of a thousand links reverse each once."""

from functools import lru_cache

from django.urls import reverse


@lru_cache(maxsize=65536)
def url_for(name, slug=None):
    return reverse(name, kwargs={"slug": slug}) if slug is not None else reverse(name)
