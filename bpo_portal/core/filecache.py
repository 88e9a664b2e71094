"""The embedded cache: Django's file cache, counting its files less often.

Django's file cache lists its whole folder on every write to see whether it is over
MAX_ENTRIES. With many cached pages that listing is slow on every page computed, so here it
happens on one write in CULL_EVERY; the folder may hold up to that many files over the limit
in between, and a cull brings it back under the limit.

A file that cannot be read back (cut short, overwritten, written by another version) is a miss,
and is deleted, rather than an error on every request for its page.
"""

import itertools
import logging
import pickle
import random
import zlib

from django.core.cache.backends.filebased import FileBasedCache

logger = logging.getLogger(__name__)

CULL_EVERY = 64

# What reading back damaged or foreign bytes raises (unpickling, decompressing, comparing).
DAMAGED = (
    pickle.UnpicklingError,
    zlib.error,
    EOFError,
    ValueError,
    TypeError,
    AttributeError,
    ImportError,
    IndexError,
    KeyError,
    UnicodeDecodeError,
)


class FileCache(FileBasedCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writes = itertools.count()

    def _drop(self, key, version, error):
        name = self._key_to_file(key, version)
        logger.warning("Damaged cache file %s deleted: %s", name, error)
        self._delete(name)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except DAMAGED as error:
            self._drop(key, version, error)
            return default

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except DAMAGED as error:
            self._drop(key, version, error)
            return False

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
