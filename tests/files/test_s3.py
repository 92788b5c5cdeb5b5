"""The S3 store against moto's server (a stand-in for S3): multipart upload, checked bytes."""

import hashlib
import os

import pytest

from app.files.storage import StorageError


def test_a_20_mb_file_goes_up_in_parts_and_comes_back_identical(s3_storage):
    data = os.urandom(20 * 1024 * 1024)
    size, sha = s3_storage.put("ab/big.bin", data)
    assert (size, sha) == (20 * 1024 * 1024, hashlib.sha256(data).hexdigest())
    head = s3_storage.client.head_object(Bucket=s3_storage.bucket,
                                         Key=s3_storage.prefix + "ab/big.bin")
    assert head["ContentLength"] == 20 * 1024 * 1024
    assert head["ETag"].strip('"').endswith("-3")  # three 8 MB parts: a multipart upload
    back = hashlib.sha256()
    with s3_storage.open("ab/big.bin") as stream:
        while chunk := stream.read(1024 * 1024):
            back.update(chunk)
    assert back.hexdigest() == hashlib.sha256(data).hexdigest()


def test_rename_copies_then_deletes(s3_storage):
    s3_storage.put("pending/ab/k.pdf", b"%PDF-1 x")
    s3_storage.rename("pending/ab/k.pdf", "ab/k.pdf")
    assert (s3_storage.exists("pending/ab/k.pdf"), s3_storage.exists("ab/k.pdf")) == (
        False, True)
    assert s3_storage.read("ab/k.pdf") == b"%PDF-1 x"
    assert [key for key, _s, _t in s3_storage.keys()] == ["ab/k.pdf"]


def test_missing_object_and_bad_key_are_refused(s3_storage):
    with pytest.raises(StorageError, match="No stored file 'ab/none'."):
        s3_storage.read("ab/none")
    with pytest.raises(StorageError, match="would leave the storage root"):
        s3_storage.put("../other-prefix/x", b"x")


def test_check_names_an_unreachable_bucket(s3_storage):
    s3_storage.check()
    s3_storage.bucket = "no-such-bucket"
    with pytest.raises(StorageError, match="The bucket no-such-bucket cannot be reached"):
        s3_storage.check()
