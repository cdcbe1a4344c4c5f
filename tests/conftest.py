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


# Under pytest-xdist (scripts/test.sh runs two workers with --dist loadgroup), every test that
# uses a real server goes to one worker, in file order, as in a serial run: the servers then
# start once (not once per worker), and tests sharing the one dockerd and cluster never run
# side by side. The pure tests (property tests, fuzzing, the codebase checks) fill the other
# worker. Tool lookups (tilt, helm, node, go) are not servers and do not count.
LIVE_FIXTURE_MODULES = {
    "tests.fixtures.docker",
    "tests.fixtures.cluster",
    "tests.fixtures.kube",
    "tests.fixtures.registries",
    "tests.fixtures.sdk_artifacts",
    "tests.images.conftest",
}


def _uses_a_live_server(item) -> bool:
    if "integration" in item.path.parts:
        return True
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        for definition in definitions:
            if definition.scope == "session" and getattr(definition.func, "__module__", "") in LIVE_FIXTURE_MODULES:
                return True
    return False


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the group into the test's node id
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        if _uses_a_live_server(item):
            item.add_marker(pytest.mark.xdist_group("live"))


def pytest_collection_finish(session):
    """A worker of `--dist loadgroup` whose live tests did not get xdist's group tag would run
    them beside the other worker's: say so rather than let shared servers race."""
    if not getattr(session.config.option, "loadgroup", False):
        return
    untagged = [item.nodeid for item in session.items if item.get_closest_marker("xdist_group") and not item.nodeid.endswith("@live")]
    if untagged:
        raise pytest.UsageError(f"pytest-xdist did not group {len(untagged)} live test(s), e.g. {untagged[0]}: check the pytest and pytest-xdist versions")


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may skip: a skipped test means a real component went unexercised."""
    if not strict():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; in CI every real component must run", red=True)
        session.exitstatus = 1
