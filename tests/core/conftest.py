"""The demo fixtures (tests/demo.py) for this folder."""

from tests.demo import demo, demo_connection  # noqa: F401
