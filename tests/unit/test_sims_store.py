"""The stand-ins' store (``sims/store.py``): records and id counters that outlive the
process, a batch committed whole or not at all."""

import pytest

from sims.store import Store


def test_records_and_ids_are_read_back_from_the_file_in_the_order_first_written(tmp_path):
    path = tmp_path / "sim" / "state.sqlite3"
    store = Store(path)
    assert [store.next_id("job", 1), store.next_id("job", 1)] == [1, 2]
    store.put("unit", 7, {"state": "new"})
    store.put("unit", 3, {"state": "new"})
    store.put("unit", 7, {"state": "judgable"})
    store.close()
    again = Store(path)
    assert again.load("unit") == [("7", {"state": "judgable"}), ("3", {"state": "new"})]
    assert again.get("unit", 3) == {"state": "new"} and again.get("unit", 4) is None
    assert again.next_id("job", 1) == 3


def test_a_batch_that_fails_writes_nothing_and_a_nested_one_commits_with_the_outer(tmp_path):
    store = Store(tmp_path / "state.sqlite3")

    def half_done() -> None:
        with store.batch():
            store.put("hit", "a", 1)
            with store.batch():
                store.put("hit", "b", 2)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        half_done()
    assert store.load("hit") == []
    with store.batch():
        store.put("hit", "a", 1)
        with store.batch():
            store.delete("hit", "a")
            store.put("hit", "b", 2)
    assert store.load("hit") == [("b", 2)]


def test_without_a_path_the_store_is_in_memory_and_new_each_time():
    first = Store()
    first.put("video", 1, {"name": "x"})
    assert first.load("video") == [("1", {"name": "x"})]
    assert Store().load("video") == []
