"""The registries group without a network: protocol parsing, names on the wire, targets and
their secrets, the checks generated from a manifest and the services each one blocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devenv.deps import specs, wire
from devenv.doctor.groups import group_checks
from devenv.doctor.registries import protocols
from devenv.doctor.registries import sdk as sdk_check
from devenv.doctor.registries.target import target_for
from devenv.graph import build_graph
from devenv.manifest.load import load_manifest
from devenv.manifest.model import Manifest, Registry, Sdk
from devenv.util.redact import redact_header, redact_text

ROOT = Path(__file__).resolve().parents[2]


# -- names on the wire ----------------------------------------------------------------------------


@pytest.mark.parametrize("package, path", [("@ameideio/ameide-sdk-ts", "/@ameideio%2fameide-sdk-ts"), ("left-pad", "/left-pad"), ("@a/b c", "/@a%2fb%20c")])
def test_npm_paths(package, path):
    assert wire.npm_path(package) == path


@pytest.mark.parametrize("name", ["ameide-sdk", "Ameide_SDK", "ameide.sdk", "AMEIDE--_.sdk"])
def test_pep503_normalisation(name):
    assert wire.pypi_normalize(name) == "ameide-sdk"


def test_go_module_paths_escape_uppercase():
    assert wire.go_escape("github.com/AmeideIO/SDK-Go") == "github.com/!ameide!i!o/!s!d!k-!go"
    assert wire.go_escape("go.packages.dev.ameide.io/ameide-sdk-go") == "go.packages.dev.ameide.io/ameide-sdk-go"
    assert specs.go_version("1.4.0") == "v1.4.0" and specs.go_version("v1.4.0") == "v1.4.0"


# -- what registries serve --------------------------------------------------------------------------

PEP503 = """<!DOCTYPE html><html><body><h1>Links for ameide-sdk</h1>
<a href="/packages/ameide_sdk-1.3.0-py3-none-any.whl#sha256=aa">ameide_sdk-1.3.0-py3-none-any.whl</a><br>
<a href="../../packages/ameide-sdk-1.2.0.tar.gz#sha256=bb" data-requires-python="&gt;=3.8">ameide-sdk-1.2.0.tar.gz</a>
<a href="https://files.example/ameide_sdk-1.4.0-py3-none-any.whl" data-yanked="">ameide_sdk-1.4.0-py3-none-any.whl</a>
<a href="/packages/ameide_sdk_extra-9.0-py3-none-any.whl">ameide_sdk_extra-9.0-py3-none-any.whl</a>
<a href='/packages/Ameide.SDK-1.5.0rc1.zip'>Ameide.SDK-1.5.0rc1.zip</a>
</body></html>"""

PEP691 = {
    "meta": {"api-version": "1.1"},
    "name": "ameide-sdk",
    "files": [
        {"filename": "ameide_sdk-1.3.0-py3-none-any.whl", "url": "x", "hashes": {}},
        {"filename": "ameide_sdk-1.4.0-py3-none-any.whl", "url": "y", "hashes": {}, "yanked": "broken build"},
        {"filename": "ameide_sdk-1.4.0.tar.gz", "url": "z", "hashes": {}, "yanked": False},
    ],
}


def test_pep503_html_index():
    served = protocols.parse_pypi(PEP503, "text/html; charset=UTF-8", "ameide-sdk")
    assert served.versions == ("1.3.0", "1.2.0", "1.5.0rc1")
    assert served.yanked == ("1.4.0",)
    assert served.format == "PEP 503 HTML"


def test_pep691_json_index():
    served = protocols.parse_pypi(json.dumps(PEP691), "application/vnd.pypi.simple.v1+json", "Ameide_SDK")
    assert served.versions == ("1.3.0", "1.4.0")  # 1.4.0 still has a file that is not yanked
    assert served.yanked == ()
    assert served.format == "PEP 691 JSON"


def test_pep440_equality():
    assert wire.same_pypi_version("1.4", "1.4.0")
    assert not wire.same_pypi_version("1.4.0", "1.4.0.post1")
    assert wire.same_pypi_version("not a version", "not a version")


def test_npm_document():
    doc = {"name": "@ameideio/ameide-sdk-ts", "dist-tags": {"latest": "1.4.0"}, "versions": {"1.3.0": {}, "1.4.0": {}}, "modified": "2026-01-01T00:00:00Z"}
    served = protocols.parse_npm(json.dumps(doc))
    assert served.versions == ("1.3.0", "1.4.0") and served.latest == "1.4.0"
    with pytest.raises(ValueError):
        protocols.parse_npm("[1, 2]")


def test_go_list_and_oci_tags():
    assert protocols.parse_go_list("v1.3.0\nv1.4.0\n\n").versions == ("v1.3.0", "v1.4.0")
    assert protocols.parse_oci_tags('{"name": "x", "tags": ["1.0", "latest"]}').versions == ("1.0", "latest")
    assert protocols.parse_oci_tags('{"name": "x", "tags": null}').versions == ()


def test_served_list_keeps_the_newest():
    served = protocols.Served(tuple(f"1.{i}.0" for i in range(10)))
    assert protocols.served_list(served, 3) == "…, 1.7.0, 1.8.0, 1.9.0 (10 versions)"
    assert protocols.served_list(protocols.Served(())) == "no version"


# -- targets and secrets ----------------------------------------------------------------------------


def _manifest(**registries) -> Manifest:
    return Manifest(version=1, project="demo", registries=registries)


def test_credentials_travel_as_auth_and_are_secrets(tmp_path):
    registry = Registry(kind="pypi", url="https://admin:admin123@pypi.example.io:8443/root/?token=t0ps3cret", ca_file="certs/ca.pem")
    target = target_for("pypi", registry, _manifest(pypi=registry), root=tmp_path, manifest_name="services.yaml")
    assert target.auth == ("admin", "admin123")
    assert target.host == "pypi.example.io" and target.port == 8443
    assert target.url_for("/simple/") == "https://pypi.example.io:8443/root/simple/?token=t0ps3cret"
    assert "admin123" not in target.shown and "t0ps3cret" not in target.shown
    assert set(target.secrets) >= {"admin123", "admin:admin123", "t0ps3cret"}
    assert target.clean("401 for admin:admin123 (t0ps3cret)") == "401 for *** (***)"
    assert target.ca_file == tmp_path / "certs" / "ca.pem"
    assert target.probe == "/simple/"


def test_default_probes_per_kind():
    for kind, probe in {"npm": "/-/ping", "pypi": "/simple/", "goproxy": "/healthz", "oci": "/v2/"}.items():
        registry = Registry(kind=kind, url="http://r.example.io")
        assert target_for("r", registry, _manifest(r=registry), root=None, manifest_name="m").probe == probe
    go = Registry(kind="goproxy", url="http://go.example.io")
    target = target_for("go", go, _manifest(go=go), root=None, manifest_name="m", go_module="github.com/A/b")
    assert target.probe == "/github.com/!a/b/@v/list"


def test_restart_hint_names_namespace_and_deployment():
    registry = Registry(kind="npm", url="http://npm.example.io")
    manifest = Manifest(version=1, project="demo", registries={"npm": registry}, cluster={"namespace": "ameide"})
    hint = target_for("npm", registry, manifest, root=None, manifest_name="m").restart_hint()
    assert hint.startswith("restart the npm registry: kubectl -n ameide rollout restart deploy/verdaccio")
    assert "if it runs in the cluster under that name" in hint


def test_restart_hint_is_exact_when_the_manifest_names_the_deployment():
    registry = Registry(kind="npm", url="http://npm.example.io", deployment="registries/npm-mirror")
    manifest = Manifest(version=1, project="demo", registries={"npm": registry}, cluster={"namespace": "ameide"})
    hint = target_for("npm", registry, manifest, root=None, manifest_name="m").restart_hint()
    assert hint.startswith("restart the npm registry: kubectl -n registries rollout restart deploy/npm-mirror   (")
    assert "if it runs" not in hint and "verdaccio" not in hint and "packages:health" in hint


@pytest.mark.parametrize(
    "name, value, shown",
    [
        ("Authorization", "Basic YWRtaW46YWRtaW4xMjM=", "Basic ***"),
        ("authorization", "Bearer eyJhbGciOi.x.y", "Bearer ***"),
        ("X-Npm-Token", "npm_abcdef", "***"),
        ("Cookie", "session=abc", "***"),
        ("Content-Type", "text/html", "text/html"),
        ("Location", "https://u:p@host/x?access_token=abc", "https://***@host/x?access_token=***"),
    ],
)
def test_header_values_are_redacted(name, value, shown):
    assert redact_header(name, value) == shown


def test_free_text_credentials_are_redacted():
    text = (
        "GET https://admin:admin123@pypi.example.io/simple/?token=abc failed; "
        "sent Authorization: Basic YWRtaW46YWRtaW4xMjM=; retry with bearer eyJhbGciOiJIUzI1NiJ9"
    )
    clean = redact_text(text)
    for secret in ("admin123", "YWRtaW46YWRtaW4xMjM=", "token=abc", "eyJhbGciOiJIUzI1NiJ9"):
        assert secret not in clean
    assert "https://***@pypi.example.io/simple/?token=***" in clean


# -- the checks a manifest implies, and what each blocks -------------------------------------------------


def test_checks_generated_for_the_example_manifest():
    loaded = load_manifest(ROOT / "services.yaml")
    checks = {c.id: c for c in group_checks("registries", loaded.manifest)}
    assert list(checks) == [
        "registries.npm.dns",
        "registries.npm.http",
        "registries.ts-sdk",
        "registries.go.dns",
        "registries.go.tls",
        "registries.go.http",
        "registries.go-sdk",
        "registries.pypi.dns",
        "registries.pypi.tls",
        "registries.pypi.http",
        "registries.python-sdk",
        "registries.images.dns",
        "registries.images.http",
    ]
    assert checks["registries.go.http"].needs == ("registries.go.dns", "registries.go.tls")
    assert checks["registries.ts-sdk"].needs == ("registries.npm.http",)
    assert all(c.group == "registries" for c in checks.values())


class _Ctx:
    def __init__(self, loaded):
        self.loaded = loaded
        self.manifest = loaded.manifest
        self.graph = build_graph(loaded.manifest)


def test_what_each_check_blocks_in_the_example():
    loaded = load_manifest(ROOT / "services.yaml")
    ctx = _Ctx(loaded)
    checks = {c.id: c for c in group_checks("registries", loaded.manifest)}

    def blocked(check_id):
        return ctx.graph.blocked_services(checks[check_id].gates(ctx))

    assert checks["registries.npm.dns"].gates(ctx) == ["packages:ts-sdk-build"]
    assert blocked("registries.npm.http") == ["platform", "threads", "www_ameide_platform"]
    assert blocked("registries.pypi.tls") == [
        "graph",
        "transformation",
        "platform",
        "threads",
        "www_ameide_platform",
        "agents",
    ]  # graph: everyone waits `after` it
    assert blocked("registries.go.http") == ["inference_gateway", "agents"]
    assert checks["registries.ts-sdk"].gates(ctx) == ["packages:ts-sdk-publish"]
    assert blocked("registries.ts-sdk") == ["platform", "threads", "www_ameide_platform"]
    assert blocked("registries.images.http") == []  # no SDK is published to it: blocks nothing


def test_the_publish_step_is_named_publish_else_the_last():
    with_publish = Sdk(language="go", path="p", package="m", steps={"build": {"cmd": "b"}, "publish": {"cmd": "p"}, "smoke": {"cmd": "s"}})
    without = Sdk(language="go", path="p", package="m", steps={"build": {"cmd": "b"}, "push": {"cmd": "p"}})
    assert sdk_check.publish_resource("go", with_publish) == "packages:go-sdk-publish"
    assert sdk_check.publish_resource("go", without) == "packages:go-sdk-push"
    assert sdk_check.publish_hint("go", without, "go") == "tilt trigger packages:go-sdk-push"
    bare = Sdk(language="go", path="p", package="m", version="v1.0.0")
    assert sdk_check.publish_hint("go", bare, "go") == ("publish m@v1.0.0 to the go registry (the SDK has no steps in the manifest)")


@pytest.mark.parametrize(
    "env, gate",
    [
        ({}, False),
        ({"TILT_HOST": "localhost", "TILT_PORT": "10350"}, True),
        ({"TILT_PORT": "10350"}, False),  # a developer's own `export TILT_PORT` is not Tilt running us
        ({"DEVENV_HEALTH_GATE": "1"}, True),
    ],
)
def test_health_gate_detection(env, gate):
    assert sdk_check.under_health_gate(env) is gate
