"""Shared test configuration. Fixtures that start real components live in tests/fixtures/,
one module per component, registered here so each starts once per session."""

import pytest

pytest_plugins = [
    "tests.fixtures.manifests",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
