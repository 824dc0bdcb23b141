"""What rarely changes (accounts, queues and their active agents, contact lists and contacts), kept in
this process's memory so that a message does not read it from MongoDB again and again.

Every write to what is cached calls `changed()`: this process drops its copies at once and bumps a
generation counter in Redis; other processes read the counter at most once per interval
(PARLEY_CONFIG_CACHE_MS) and drop theirs when it moved, so they see the change within that time.
Entries also expire after MAX_AGE_SECONDS, so a bump lost to a Redis outage heals by itself. While
Redis does not answer nothing is cached: reads go to MongoDB.

Documents are kept as MongoDB returns them (an account's secrets stay encrypted), frozen (see
`readonly`): `cached` and `peek` hand out plain copies, `view` the shared read-only document itself,
for hot paths that only read it (the webhook's account). Either way a caller changing one cannot
change what the next caller gets.
"""

import logging
import threading
import time

from redis.exceptions import RedisError

from app import queues
from app.db import get_db
from app.services.readonly import freeze, thaw

log = logging.getLogger(__name__)

GENERATION_KEY = "parley:config-generation"
MAX_AGE_SECONDS = 60
DEFAULT_INTERVAL_MS = 1000
MAX_ENTRIES = 20_000
_UNREADABLE = object()  # the generation while Redis does not answer


class ConfigCache:
    """One process's copies. The app uses the module's instance; a second one plays another process."""

    def __init__(self, interval_ms=DEFAULT_INTERVAL_MS):
        self._lock = threading.Lock()
        self._interval = max(interval_ms, 0) / 1000
        self._db = None  # the database the entries were read from (tests open a new one per app)
        self._generation = None
        self._checked_at = None
        self._epoch = 0  # moves whenever the entries are dropped: a read begun before must not store its result
        self._entries = {}  # key -> (monotonic time loaded, frozen document)
        self._on_drop = []  # callbacks of caches derived from these documents

    def configure(self, interval_ms):
        """How often (ms) to ask Redis whether another process changed something."""
        with self._lock:
            self._interval = max(interval_ms, 0) / 1000
            self._drop()

    def _drop(self):
        """Forget every entry (caller holds the lock)."""
        self._entries.clear()
        self._epoch += 1
        for callback in self._on_drop:
            callback()

    def on_drop(self, callback):
        """Call `callback()` (cheap, no I/O) whenever the entries are dropped: a cache derived from
        them (decrypted secrets) is dropped with them."""
        with self._lock:
            self._on_drop.append(callback)

    def changed(self):
        """Call after any write to what is cached: this process sees it at once, others within the interval."""
        with self._lock:
            self._drop()
        try:
            generation = queues.get_redis().incr(GENERATION_KEY)
        except RedisError:
            log.warning("configuration change not announced to other processes: Redis does not answer")
            return
        with self._lock:
            self._drop()  # what was read between the first drop and the bump may predate another process's write
            self._generation = str(generation).encode()
            self._checked_at = time.monotonic()

    def _current_epoch(self):
        """The epoch once the entries are known current; None when Redis cannot tell."""
        now = time.monotonic()
        database = get_db()
        with self._lock:
            if self._db is not database:
                self._drop()
                self._db, self._checked_at = database, None
            if self._checked_at is not None and now - self._checked_at < self._interval:
                return None if self._generation is _UNREADABLE else self._epoch
        try:
            generation = queues.get_redis().get(GENERATION_KEY)
        except RedisError:
            with self._lock:  # asked again after the interval, not on every read
                self._drop()
                self._generation, self._checked_at = _UNREADABLE, now
            return None
        with self._lock:
            if generation != self._generation:
                self._drop()
                self._generation = generation
            self._checked_at = now
            return self._epoch

    def cached(self, key, load):
        """A copy of `load()`'s result for `key`, read from MongoDB only when not held. A None result
        (nothing found) is not kept: an unknown webhook key asked again is read again."""
        held = self._held(key)
        if held is not None:
            return thaw(held)
        return self._load(key, load, frozen=False)

    def view(self, key, load):
        """Like `cached`, without the copy: the shared document, read-only (see `readonly`)."""
        held = self._held(key)
        if held is not None:
            return held
        return self._load(key, load, frozen=True)

    def peek(self, key):
        """A copy of what is held for `key`, or None (nothing is read from MongoDB)."""
        held = self._held(key)
        return None if held is None else thaw(held)

    def _held(self, key):
        """The frozen entry for `key` while it is current, else None."""
        if self._current_epoch() is None:
            return None
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < MAX_AGE_SECONDS:
            return entry[1]
        return None

    def _load(self, key, load, frozen):
        epoch = self._current_epoch()
        loaded_at = time.monotonic()
        value = load()
        if value is None:
            return None
        kept = freeze(value)
        if epoch is not None:
            self._store(epoch, key, loaded_at, kept)
        return kept if frozen else value

    def remember(self, key, value):
        """Keep what this process has just written (a new contact), so its next read costs no query."""
        epoch = self._current_epoch()
        if epoch is not None:
            self._store(epoch, key, time.monotonic(), freeze(value))

    def _store(self, epoch, key, loaded_at, value):
        with self._lock:
            if self._epoch == epoch:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.pop(next(iter(self._entries)))  # the oldest: contacts are many
                self._entries[key] = (loaded_at, value)


_process = ConfigCache()
configure = _process.configure
changed = _process.changed
cached = _process.cached
view = _process.view
on_drop = _process.on_drop
remember = _process.remember
peek = _process.peek
