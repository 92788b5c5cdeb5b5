"""Stores for the file tests: a local folder per test, moto's S3 server per session."""

import pytest

from app.files.storage import LocalStorage, make_storage
from tests.services import start_moto


@pytest.fixture
def use_storage(app):
    """Make the app use the given store for one test."""
    saved = app.extensions.get("ensayo_storage")

    def use(storage):
        app.extensions["ensayo_storage"] = storage
        return storage

    yield use
    if saved is None:
        app.extensions.pop("ensayo_storage", None)
    else:
        app.extensions["ensayo_storage"] = saved


@pytest.fixture
def local_storage(tmp_path, use_storage):
    return use_storage(LocalStorage(tmp_path / "store"))


@pytest.fixture(scope="session")
def moto():
    server = start_moto("ensayo-test")
    yield server
    server.stop()


@pytest.fixture
def s3_storage(moto, use_storage, request):
    storage = make_storage({**moto.env, "STORAGE_URL": f"s3://ensayo-test/{request.node.name}",
                            "UPLOAD_FOLDER": ""})
    return use_storage(storage)
