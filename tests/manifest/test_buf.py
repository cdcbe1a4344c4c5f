"""Buf generated SDK naming and versions, on the BSR's own documented examples.

Sources (BSR documentation, 2026):
- `buf registry sdk version --module=buf.build/connectrpc/eliza --plugin=buf.build/protocolbuffers/go`
  prints `v1.33.0-20230913231627-233fca715f49.1` (and `v1.32.0-…` with the plugin pinned to v1.32.0),
  the module `buf.build/gen/go/connectrpc/eliza/protocolbuffers/go`;
- the npm quickstart installs `@buf/connectrpc_eliza.bufbuild_es` from `https://buf.build/gen/npm/v1`
  (module commit d8fbf2620c60… with plugin bufbuild/es v1.2.1 in `buf registry sdk info`);
- the Python page installs `connectrpc-eliza-protocolbuffers-python` from
  `--extra-index-url https://buf.build/gen/python`;
- the ameide platform note: `@buf/ameideio_ameide.bufbuild_es`, `ameideio-ameide-protocolbuffers-python`,
  `ameideio-ameide-grpc-python`.
"""

import pytest

from devenv.manifest import buf

NAMES = [
    ("npm", "buf.build/connectrpc/eliza", "buf.build/bufbuild/es", "@buf/connectrpc_eliza.bufbuild_es"),
    ("npm", "buf.build/ameideio/ameide", "buf.build/bufbuild/es", "@buf/ameideio_ameide.bufbuild_es"),
    ("go", "buf.build/connectrpc/eliza", "buf.build/protocolbuffers/go", "buf.build/gen/go/connectrpc/eliza/protocolbuffers/go"),
    ("go", "buf.build/connectrpc/eliza", "buf.build/connectrpc/go", "buf.build/gen/go/connectrpc/eliza/connectrpc/go"),
    ("python", "buf.build/connectrpc/eliza", "buf.build/protocolbuffers/python", "connectrpc-eliza-protocolbuffers-python"),
    ("python", "buf.build/ameideio/ameide", "buf.build/protocolbuffers/python", "ameideio-ameide-protocolbuffers-python"),
    ("python", "buf.build/ameideio/ameide", "buf.build/grpc/python", "ameideio-ameide-grpc-python"),
    # a private BSR instance: the module's host names the Go module and the endpoints
    ("go", "bsr.acme.dev/platform/apis", "bsr.acme.dev/protocolbuffers/go", "bsr.acme.dev/gen/go/platform/apis/protocolbuffers/go"),
]


@pytest.mark.parametrize("ecosystem,module,plugin,package", NAMES)
def test_package_names(ecosystem, module, plugin, package):
    assert buf.package_name(ecosystem, buf.Ref.parse(module), buf.Ref.parse(plugin)) == package


@pytest.mark.parametrize(
    "ecosystem,url", [("npm", "https://buf.build/gen/npm/v1"), ("go", "https://buf.build/gen/go"), ("python", "https://buf.build/gen/python")]
)
def test_endpoints(ecosystem, url):
    assert buf.endpoint(ecosystem, buf.Ref.parse("buf.build/connectrpc/eliza")) == url


VERSIONS = [
    ("go", "v1.33.0-20230913231627-233fca715f49.1", ("1.33.0", "20230913231627", "233fca715f49", 1)),
    ("go", "v1.32.0-20230913231627-233fca715f49.1", ("1.32.0", "20230913231627", "233fca715f49", 1)),
    ("npm", "1.2.1-20230727062025-d8fbf2620c60.1", ("1.2.1", "20230727062025", "d8fbf2620c60", 1)),
    ("npm", "2.2.0-20240105174326-7d1ab5b6f0d1.3", ("2.2.0", "20240105174326", "7d1ab5b6f0d1", 3)),
    ("python", "25.1.0.1.20230913231627+233fca715f49", ("25.1.0", "20230913231627", "233fca715f49", 1)),
    ("python", "4.25.1.2.20230727062025+d8fbf2620c60", ("4.25.1", "20230727062025", "d8fbf2620c60", 2)),
]


@pytest.mark.parametrize("ecosystem,version,parts", VERSIONS)
def test_versions_parse_and_format_back(ecosystem, version, parts):
    parsed = buf.parse_version(ecosystem, version)
    assert (parsed.plugin, parsed.timestamp, parsed.commit, parsed.revision) == parts
    assert buf.format_version(ecosystem, parsed) == version


@pytest.mark.parametrize(
    "ecosystem,version",
    [
        ("go", "1.33.0-20230913231627-233fca715f49.1"),  # Go needs its v
        ("npm", "v1.2.1-20230727062025-d8fbf2620c60.1"),
        ("npm", "1.2.1"),
        ("npm", "1.2.1-2023072706202-d8fbf2620c60.1"),  # a 13-digit timestamp
        ("python", "1.2.1-20230727062025-d8fbf2620c60.1"),  # npm's form
        ("python", "25.1.0.1.20230913231627"),  # no commit
    ],
)
def test_other_versions_do_not_parse(ecosystem, version):
    assert buf.parse_version(ecosystem, version) is None


def test_versions_are_what_the_ecosystems_accept():
    """The oracle for the shapes: packaging (PEP 440), node-semver and Go's semver port accept them."""
    import nodesemver
    from packaging.version import Version

    from devenv.deps import gosemver

    assert Version("25.1.0.1.20230913231627+233fca715f49").local == "233fca715f49"
    assert nodesemver.valid("1.2.1-20230727062025-d8fbf2620c60.1", False)
    assert gosemver.is_valid("v1.33.0-20230913231627-233fca715f49.1")
