"""Writes that arrive together share one round trip, and each caller gets its own result or the error."""

import threading
import time

from app.group_commit import GroupCommit


class Store:
    """A write that takes its time, like a round trip, and remembers each group it was given."""

    def __init__(self, fail_when=None):
        self.groups = []
        self.fail_when = fail_when

    def write(self, items):
        time.sleep(0.02)
        if self.fail_when and self.fail_when(items):
            raise ConnectionError("the store does not answer")
        self.groups.append(list(items))
        return [f"stored {item}" for item in items]


def submit_at_once(commit, items):
    results, errors = {}, {}
    start = threading.Barrier(len(items))

    def call(item):
        start.wait()
        try:
            results[item] = commit.submit(item)
        except Exception as exc:
            errors[item] = exc

    threads = [threading.Thread(target=call, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads), "a caller never got its answer"
    return results, errors


def test_callers_at_the_same_time_share_writes_and_each_gets_its_own_result():
    store = Store()
    results, errors = submit_at_once(GroupCommit(store.write), list(range(40)))
    assert not errors
    assert results == {n: f"stored {n}" for n in range(40)}
    written = [item for group in store.groups for item in group]
    assert sorted(written) == list(range(40)), "each item written once"
    assert len(store.groups) < 10, f"40 callers at once took {len(store.groups)} writes"


def test_a_failed_write_fails_every_caller_of_its_group_and_the_next_callers_are_written():
    store = Store(fail_when=lambda items: 0 in items)
    commit = GroupCommit(store.write)
    results, errors = submit_at_once(commit, list(range(10)))
    assert 0 in errors and isinstance(errors[0], ConnectionError)
    failed_group = set(errors)
    assert failed_group.isdisjoint(results), "a caller is told one thing"
    assert failed_group | set(results) == set(range(10))
    written = {item for group in store.groups for item in group}
    assert not failed_group & written, "nothing of the failed group is reported written"
    assert commit.submit(99) == "stored 99", "the lead is not stuck after a failure"


def test_a_lone_caller_writes_at_once():
    store = Store()
    commit = GroupCommit(store.write)
    assert [commit.submit(n) for n in range(3)] == ["stored 0", "stored 1", "stored 2"]
    assert store.groups == [[0], [1], [2]]


def test_a_leader_stopped_mid_write_leaves_no_caller_waiting():
    """A caller stopped while it writes (an interrupt, a green thread killed) hands the lead on."""
    leader_stopped = KeyboardInterrupt
    calls = []

    def write(items):
        calls.append(list(items))
        if len(calls) == 1:
            time.sleep(0.05)  # the others arrive and wait meanwhile
            raise leader_stopped
        return [f"stored {item}" for item in items]

    commit = GroupCommit(write)
    outcome = {}

    def leader():
        try:
            commit.submit("first")
        except BaseException as exc:
            outcome["leader"] = type(exc)

    lead = threading.Thread(target=leader)
    lead.start()
    time.sleep(0.01)
    results, errors = submit_at_once(commit, ["a", "b"])
    lead.join(5)
    assert outcome["leader"] is leader_stopped
    assert results == {"a": "stored a", "b": "stored b"} and not errors, "the next caller led their write"
