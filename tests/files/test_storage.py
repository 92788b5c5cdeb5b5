"""The local store: atomic writes, SHA-256 while copying, no key outside the root."""

import hashlib
import os

import pytest

from app.files.storage import LocalStorage, StorageError, check_key, make_storage


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a/../../b", "a//b", "", "a/./b",
                                 "a\\..\\b", "ab/\x00c"])
def test_keys_that_leave_the_root_are_refused(tmp_path, key):
    storage = LocalStorage(tmp_path)
    with pytest.raises(StorageError, match="would leave the storage root"):
        storage.put(key, b"x")
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_out_of_the_root_is_refused(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "root" / "ab").symlink_to(tmp_path / "outside")
    with pytest.raises(StorageError, match="would leave the storage root"):
        LocalStorage(tmp_path / "root").put("ab/file.txt", b"x")
    assert list((tmp_path / "outside").iterdir()) == []


def test_put_returns_size_and_sha_and_leaves_no_temporary_file(tmp_path):
    storage = LocalStorage(tmp_path)
    data = os.urandom(3 * 1024 * 1024 + 17)
    assert storage.put("ab/abcdef.bin", data) == (len(data),
                                                   hashlib.sha256(data).hexdigest())
    assert storage.read("ab/abcdef.bin") == data
    assert sorted(p.name for p in (tmp_path / "ab").iterdir()) == ["abcdef.bin"]
    assert [(k, s) for k, s, _ in storage.keys()] == [("ab/abcdef.bin", len(data))]


def test_a_write_cut_short_leaves_the_old_file_whole(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("ab/k", b"old content")

    class Broken:
        def __init__(self):
            self.calls = 0

        def read(self, size):
            self.calls += 1
            if self.calls > 1:
                raise OSError("disk gone")
            return b"new"

    with pytest.raises(OSError, match="disk gone"):
        storage.put("ab/k", Broken())
    assert storage.read("ab/k") == b"old content"
    assert sorted(p.name for p in (tmp_path / "ab").iterdir()) == ["k"]


def test_rename_and_delete(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("pending/ab/k", b"1")
    storage.rename("pending/ab/k", "ab/k")
    assert (storage.exists("pending/ab/k"), storage.exists("ab/k")) == (False, True)
    storage.delete("ab/k")
    storage.delete("ab/k")  # already gone: no error
    assert storage.exists("ab/k") is False
    with pytest.raises(StorageError, match="No stored file 'ab/k'."):
        storage.read("ab/k")


def test_storage_url_picks_the_store(tmp_path):
    assert isinstance(make_storage({"STORAGE_URL": "", "UPLOAD_FOLDER": str(tmp_path)}),
                      LocalStorage)
    s3 = make_storage({"STORAGE_URL": "s3://my-bucket/some/prefix", "UPLOAD_FOLDER": "",
                       "S3_ENDPOINT_URL": "http://127.0.0.1:1", "S3_REGION": "us-east-1"})
    assert (s3.kind, s3.bucket, s3.prefix, s3.describe()) == (
        "s3", "my-bucket", "some/prefix/", "s3://my-bucket/some/prefix/")
    with pytest.raises(StorageError, match="must start with s3:// or file://"):
        make_storage({"STORAGE_URL": "ftp://x/y", "UPLOAD_FOLDER": ""})
    with pytest.raises(StorageError, match="3 to 63 characters"):
        make_storage({"STORAGE_URL": "s3://ab/x", "UPLOAD_FOLDER": ""})
    assert check_key("ab/abc.jpg") == "ab/abc.jpg"
