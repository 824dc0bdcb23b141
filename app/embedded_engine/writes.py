"""One lock around the embedded engine's writes.

The embedded engine changes documents in place without locks; MongoDB makes each single-document
write atomic (an $inc never loses a concurrent $inc). One lock around the engine's writes gives the
web threads and the embedded worker the same guarantee; the engine's index maps are kept under it too.
A read copies each document it returns under the same lock: a document a write is changing in place
would otherwise fail the read ("dictionary changed size during iteration"), which a server never does.
"""

import threading

WRITE_LOCK = threading.RLock()
_WRITES = ("_insert", "_update", "_find_and_modify", "_delete", "_copy_only_fields")


def serialize_writes(collection_class):
    for name in _WRITES:
        original = getattr(collection_class, name)
        if getattr(original, "serialized", False):
            continue

        def locked(self, *args, _original=original, **kwargs):
            with WRITE_LOCK:
                return _original(self, *args, **kwargs)

        locked.serialized = True
        setattr(collection_class, name, locked)
