"""A version number for the directory, so readers may cache what they read.

Whoever caches directory data (opening hours, closures, availability…) keys it by
``directory_version()``; every change to the directory calls ``mark_directory_changed()``,
which makes all such entries unreachable at once. Model saves and deletes do it through signal
hooks (``apps.py``); bulk writers (the importer, the demo loader) call it themselves.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "directory:version"


def directory_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh number, never one a previous cache generation used.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def mark_directory_changed() -> None:
    """Invalidate cached directory data now, and again when the current transaction commits
    (a reader in between could otherwise cache the old rows under the new version)."""
    _bump()
    transaction.on_commit(_bump)
