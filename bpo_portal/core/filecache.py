"""The embedded cache: Django's file cache, counting its files less often.

Django's file cache lists its whole folder on every write to see whether it is over
MAX_ENTRIES. With thousands of cached pages that listing costs milliseconds on every page
computed, so here it happens on one write in CULL_EVERY; the folder may hold up to that many
files over the limit in between, and a cull brings it back under the limit.
"""

import itertools
import random

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 64


class FileCache(FileBasedCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writes = itertools.count()

    def _cull(self):
        if next(self._writes) % CULL_EVERY:
            return
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        if self._cull_frequency == 0:
            return self.clear()
        keep = self._max_entries - self._max_entries // self._cull_frequency
        for name in random.sample(files, len(files) - keep):
            self._delete(name)
