"""Which stored attachments may be deleted with some interactions.

A file goes with the interactions it belongs to: those whose messages hold it, and those it was
stored for (an agent's upload never sent, a customer's download stored after its message). It stays
while anything else uses it: a message of another interaction (an agent may send a file again
elsewhere) or a template, whose header file several conversations share.
"""

from app.services.attachments import media_store
from app.services.conversations import message_store


def only_of(interaction_ids):
    """The GridFS file ids (strings) that belong to these interactions and nothing else."""
    ids = list(interaction_ids)
    files = set(message_store.media_files_of(ids)) | set(media_store.stored_for(ids))
    if not files:
        return []
    used_elsewhere = message_store.files_used_outside(files, ids)
    return sorted(files - used_elsewhere - media_store.template_headers(files))


def delete_only_of(interaction_ids):
    """Delete the files only these interactions use; returns how many went."""
    return media_store.delete(only_of(interaction_ids))

