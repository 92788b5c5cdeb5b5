"""An upload is visible under its final key only once its transaction commits."""

import pytest

from app.files.services import object_key, read_bytes, store_bytes

PDF = b"%PDF-1.4 test file body"


def _store(db):
    return store_bytes(db.session, PDF, original_name="a.pdf",
                       allowed_types={"application/pdf"}, max_bytes=1024)


def _keys(storage):
    return sorted(key for key, _size, _time in storage.keys())


@pytest.mark.parametrize("store", ["local_storage", "s3_storage"])
def test_the_file_moves_to_its_final_key_at_commit(db, store, request):
    storage = request.getfixturevalue(store)
    stored = _store(db)
    final = object_key(stored.storage_key)
    assert _keys(storage) == ["pending/" + final]
    assert read_bytes(stored) == PDF  # readable in its own transaction before the commit
    db.session.commit()
    assert _keys(storage) == [final]
    assert read_bytes(stored) == PDF
    assert (stored.size, stored.sha256) == (
        23, "665ed24c163ded6823b94466f4615921e90caca602a0540c2459540293492616")


@pytest.mark.parametrize("store", ["local_storage", "s3_storage"])
def test_a_rolled_back_upload_leaves_no_file(db, store, request):
    storage = request.getfixturevalue(store)
    _store(db)
    db.session.rollback()
    assert _keys(storage) == []


def test_a_savepoint_rolled_back_deletes_only_its_own_files(db, local_storage):
    kept = _store(db)
    nested = db.session.begin_nested()
    dropped = _store(db)
    nested.rollback()
    db.session.commit()
    assert _keys(local_storage) == [object_key(kept.storage_key)]
    assert dropped.storage_key != kept.storage_key


def test_a_session_closed_without_commit_leaves_no_file(db, local_storage):
    _store(db)
    db.session.close()
    assert _keys(local_storage) == []


@pytest.mark.parametrize("store", ["local_storage", "s3_storage"])
def test_a_file_committed_elsewhere_is_read_before_its_rename_lands(db, store, request):
    """Another process (a job's consumer, another server) committed the record; its
    after-commit rename has not reached the store yet: readers here still get the bytes."""
    from app.files.services import open_stream
    from app.files.storage import PENDING_PREFIX

    storage = request.getfixturevalue(store)
    stored = _store(db)
    final = object_key(stored.storage_key)
    db.session.info.pop("ensayo_pending_files")  # as seen from another session: not ours
    assert _keys(storage) == [PENDING_PREFIX + final]
    assert read_bytes(stored) == PDF
    with open_stream(stored) as stream:
        assert stream.read() == PDF
    storage.rename(PENDING_PREFIX + final, final)
    assert read_bytes(stored) == PDF
