"""Shared test configuration. Fixtures that start real components live in tests/fixtures/,
one module per component, registered here so each starts once per session."""

import pytest
from hypothesis import settings

from tests.support.components import strict

# In CI the property tests draw the same examples every run (a red CI must mean a regression,
# not a new draw); on a laptop they explore at random, and a failure prints its reproducer.
settings.register_profile("devenv-ci", derandomize=True, database=None)
if strict():
    settings.load_profile("devenv-ci")

pytest_plugins = [
    "tests.fixtures.manifests",
    "tests.fixtures.registries",
    "tests.fixtures.docker",
    "tests.fixtures.kube",
    "tests.fixtures.cluster",
    "tests.fixtures.tilt",
    "tests.fixtures.sdk_artifacts",
    "tests.fixtures.oracles",
    "tests.fixtures.sdk_monorepo",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may skip: a skipped test means a real component went unexercised."""
    if not strict():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; in CI every real component must run", red=True)
        session.exitstatus = 1
