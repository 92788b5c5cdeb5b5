"""Where stored bytes live: the local folder (default) or an S3-compatible bucket (STORAGE_URL).

Both stores share one small interface: ``put`` (streamed, SHA-256 computed while copying),
``open``/``read``, ``exists``, ``delete``, ``rename``, ``keys`` (with size and time) and
``check``. Keys are relative, made of safe characters, and never leave the root or prefix.
"""

import hashlib
import io
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

CHUNK = 1024 * 1024
SAFE_KEY = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
# An upload is first written here and renamed to its final key when the transaction commits.
PENDING_PREFIX = "pending/"


class StorageError(Exception):
    """A storage operation that cannot be done; the message says why."""


def check_key(key):
    """Return the key when it stays inside the store, else raise StorageError."""
    if not isinstance(key, str) or not SAFE_KEY.match(key) or {".", ".."} & set(key.split("/")):
        raise StorageError(f"Refused storage key {key!r}: it would leave the storage root.")
    return key


def _chunks(source):
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    while True:
        chunk = source.read(CHUNK)
        if not chunk:
            return
        yield chunk


class _HashingReader(io.RawIOBase):
    """A read-only stream that counts and hashes what passes through it."""

    def __init__(self, source):
        self.source = source
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.source.read(len(buffer))
        self.sha.update(data)
        self.size += len(data)
        buffer[:len(data)] = data
        return len(data)


class LocalStorage:
    """Files under one folder; writes are atomic (temporary file, fsync, os.replace)."""

    kind = "local"

    def __init__(self, root):
        self.root = Path(root).resolve()

    def describe(self):
        """Return where the files are, for messages."""
        return str(self.root)

    def path(self, key):
        """Return the file path of a key, refusing any key that leaves the root."""
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise StorageError(f"Refused storage key {key!r}: it would leave the storage root.")
        return path

    def put(self, key, source):
        """Write bytes or a stream under key atomically; return (size, SHA-256)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        sha, size = hashlib.sha256(), 0
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(source):
                    sha.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return size, sha.hexdigest()

    def open(self, key):
        """Return a binary stream of the key's bytes."""
        try:
            return open(self.path(key), "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            raise StorageError(f"No stored file {key!r}.") from None

    def read(self, key):
        """Return the key's bytes."""
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key):
        """Return True when the key holds a file."""
        return self.path(key).is_file()

    def delete(self, key):
        """Remove the key (no error when it is already gone)."""
        self.path(key).unlink(missing_ok=True)

    def rename(self, source, target):
        """Move a file to another key atomically."""
        target_path = self.path(target)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path(source), target_path)

    def keys(self):
        """Yield (key, size, modified time in UTC) for every file in the store."""
        if not self.root.is_dir():
            return
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(dirpath) / name
                # A ".tmp-" file is a write cut short: listed so `files verify` can remove it.
                key = path.relative_to(self.root).as_posix()
                stat = path.stat()
                yield key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)

    def check(self):
        """Raise StorageError when the folder cannot be written."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise StorageError(f"The storage folder {self.root} is not writable.")


class S3Storage:
    """Objects in an S3-compatible bucket under a prefix; big files go up in parts."""

    kind = "s3"

    def __init__(self, bucket, prefix, client):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client

    def describe(self):
        """Return the bucket and prefix, for messages."""
        return f"s3://{self.bucket}/{self.prefix}"

    def _name(self, key):
        return self.prefix + check_key(key)

    def put(self, key, source):
        """Upload bytes or a stream (multipart above 8 MB); return (size, SHA-256)."""
        from boto3.s3.transfer import TransferConfig

        if isinstance(source, (bytes, bytearray, memoryview)):
            source = io.BytesIO(bytes(source))
        reader = _HashingReader(source)
        config = TransferConfig(multipart_threshold=8 * CHUNK, multipart_chunksize=8 * CHUNK,
                                use_threads=False)
        self.client.upload_fileobj(io.BufferedReader(reader, CHUNK), self.bucket,
                                   self._name(key), Config=config)
        return reader.size, reader.sha.hexdigest()

    def open(self, key):
        """Return a stream of the object's bytes."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise StorageError(f"No stored file {key!r}.") from None

    def read(self, key):
        """Return the object's bytes."""
        return self.open(key).read()

    def exists(self, key):
        """Return True when the object exists."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key):
        """Remove the object."""
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def rename(self, source, target):
        """Copy to the final key (managed copy, parts for big objects), then delete."""
        self.client.copy({"Bucket": self.bucket, "Key": self._name(source)}, self.bucket,
                         self._name(target))
        self.delete(source)

    def keys(self):
        """Yield (key, size, modified time) for every object under the prefix."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                yield item["Key"][len(self.prefix):], item["Size"], item["LastModified"]

    def check(self):
        """Raise StorageError when the bucket cannot be reached."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"The bucket {self.bucket} cannot be reached: {error}") from None


def make_storage(config):
    """Build the store a configuration names (STORAGE_URL, else UPLOAD_FOLDER)."""
    url = (config.get("STORAGE_URL") or "").strip()
    if not url:
        return LocalStorage(config["UPLOAD_FOLDER"])
    if url.startswith("file://"):
        return LocalStorage(url[len("file://"):])
    if not url.startswith("s3://"):
        raise StorageError(f"STORAGE_URL must start with s3:// or file://, not {url!r}.")
    bucket, _, prefix = url[len("s3://"):].partition("/")
    if not 3 <= len(bucket) <= 63:
        raise StorageError("The bucket name in STORAGE_URL needs 3 to 63 characters.")
    import boto3
    from botocore.config import Config as BotoConfig

    client = boto3.client(
        "s3",
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region_name=config.get("S3_REGION") or None,
        aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
        config=BotoConfig(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3},
                          s3={"addressing_style": config.get("S3_ADDRESSING_STYLE") or "auto"}),
    )
    return S3Storage(bucket, prefix, client)


def get_storage(app=None):
    """Return the application's store (built once per app)."""
    app = app or current_app._get_current_object()
    storage = app.extensions.get("ensayo_storage")
    if storage is None:
        storage = app.extensions["ensayo_storage"] = make_storage(app.config)
    return storage
