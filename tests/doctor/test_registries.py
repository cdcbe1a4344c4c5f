"""`devenv doctor --only registries` against real registries (Verdaccio, pypiserver, a Go
module proxy directory, docker-registry) on loopback, reached by the platform's kind of host
names through a private /etc/hosts: what passes, which SDK versions are found, credentials."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.components import tool
from tests.support.registries import GO_MODULE, GO_MODULE_MIXED_CASE, NPM_PACKAGE, PYPI_PASSWORD, PYPI_USER, hostname, make_site, sdk_entries

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


@pytest.fixture
def all_four(registry_lab, verdaccio, pypi_index, go_proxy, oci_registry):
    return {"npm": verdaccio, "go": go_proxy, "pypi": pypi_index, "images": oci_registry}


def test_every_check_passes_against_the_real_registries(registry_lab, all_four, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", all_four)
    run = site.doctor("--json")
    assert run.code == 0, run.out + run.err
    checks = run.checks()
    assert {i: c["status"] for i, c in checks.items()} == {
        "registries.npm.dns": "ok",
        "registries.npm.http": "ok",
        "registries.ts-sdk": "ok",
        "registries.go.dns": "ok",
        "registries.go.tls": "ok",
        "registries.go.http": "ok",
        "registries.go-sdk": "ok",
        "registries.pypi.dns": "ok",
        "registries.pypi.tls": "ok",
        "registries.pypi.http": "ok",
        "registries.python-sdk": "ok",
        "registries.images.dns": "ok",
        "registries.images.http": "ok",
    }
    npm = hostname("npm")
    assert re.fullmatch(rf"{re.escape(npm)} → 127\.\d+\.\d+\.\d+ \(/etc/hosts\); port \d+ open", checks["registries.npm.dns"]["message"])
    assert re.fullmatch(r"GET /-/ping → 200 OK in \d+ ms", checks["registries.npm.http"]["message"])
    assert checks["registries.ts-sdk"]["message"] == f"{NPM_PACKAGE}@1.4.0 is served (2 versions)"
    assert checks["registries.go-sdk"]["message"] == f"{GO_MODULE}@v1.4.0 is served (2 versions)"
    assert checks["registries.python-sdk"]["message"] == "ameide-sdk@1.4.0 is served (2 versions)"
    assert re.fullmatch(
        r"TLSv1\.[23], certificate for go\.packages\.dev\.example\.io from 'devenv test CA', "
        r"valid until \d{4}-\d\d-\d\d \(\d+ days\)",
        checks["registries.go.tls"]["message"],
    )
    assert re.fullmatch(r"GET /v2/ → 200 OK in \d+ ms", checks["registries.images.http"]["message"])
    assert all(c["blocked_services"] == [] for c in checks.values())


def test_the_example_manifest_passes_with_its_own_host_names_and_ports(registry_lab, all_four, tmp_path):
    """The repository's services.yaml as written: npm on :80, go and pypi on :443, docker.io:5000."""
    lab = registry_lab
    lab.expose("npm.packages.dev.ameide.io", all_four["npm"], port=80)
    lab.expose("go.packages.dev.ameide.io", all_four["go"], port=443, tls="good")
    lab.expose("pypi.packages.dev.ameide.io", all_four["pypi"], port=443, tls="good")
    lab.expose("docker.io", all_four["images"], port=5000)
    run = lab.doctor(ROOT / "services.yaml", "--json", env={"SSL_CERT_FILE": str(lab.net.ca_pem)})
    assert run.code == 0, run.out + run.err
    assert [c["status"] for c in run.json()["checks"]] == ["ok"] * 13
    assert run.check("registries.npm.http")["message"].startswith("GET /@ameideio%2fameide-sdk-ts → 200 OK")
    assert run.check("registries.go.http")["message"].startswith("GET /healthz → 200 OK")


@pytest.mark.parametrize(
    "registry, sdk, version, served, blocked",
    [
        ("npm", "ts", "1.5.0", "1.3.0, 1.4.0", ["web", "admin"]),
        ("pypi", "python", "2.0.0", "1.3.0, 1.4.0", ["api"]),
        ("go", "go", "v1.5.0", "v1.3.0, v1.4.0", ["gw"]),
    ],
)
def test_a_missing_version_names_the_step_to_rerun_and_the_services_it_blocks(registry_lab, all_four, tmp_path, registry, sdk, version, served, blocked):
    site = make_site(registry_lab, tmp_path / "repo", all_four, sdks=sdk_entries(**{sdk: {"version": version}}))
    run = site.doctor("--json")
    assert run.code == 1
    check = run.check(f"registries.{sdk}-sdk")
    package = {"ts": NPM_PACKAGE, "python": "ameide-sdk", "go": GO_MODULE}[sdk]
    assert check["status"] == "fail"
    assert check["message"] == f"{package}@{version} is not published (it serves {served})"
    assert check["hint"] == f"tilt trigger packages:{sdk}-sdk-publish"
    assert check["blocked_services"] == blocked
    assert run.json()["summary"]["blocked_services"] == blocked
    others = [c for c in run.json()["checks"] if c["id"] != check["id"]]
    assert all(c["status"] == "ok" for c in others)


def test_a_package_the_registry_never_saw(registry_lab, verdaccio, tmp_path):
    steps = {"build": {"cmd": "true"}, "push": {"cmd": "true"}}
    sdks = sdk_entries(ts={"package": "@ameideio/never-published", "steps": steps})
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio}, sdks=sdks)
    run = site.doctor("--json")
    check = run.check("registries.ts-sdk")
    assert (check["status"], check["message"]) == (
        "fail",
        "@ameideio/never-published is not on the npm registry at all (GET /@ameideio%2fnever-published → 404)",
    )
    assert check["hint"] == "tilt trigger packages:ts-sdk-push"  # no step named publish: the last one
    assert check["blocked_services"] == ["web", "admin"]


def test_under_tilts_health_gate_an_unpublished_version_only_warns(registry_lab, verdaccio, tmp_path):
    """packages:health runs before the chain that publishes: failing it would deadlock a fresh registry."""
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio}, sdks=sdk_entries(ts={"version": "9.0.0"}))
    run = site.doctor("--json", env={"TILT_HOST": "localhost", "TILT_PORT": "10350"})
    assert run.code == 0, run.out
    check = run.check("registries.ts-sdk")
    assert check["status"] == "warn"
    assert check["message"] == (f"{NPM_PACKAGE}@9.0.0 is not published (it serves 1.3.0, 1.4.0); packages:ts-sdk-publish publishes it after this gate")
    assert check["hint"] == "tilt trigger packages:ts-sdk-publish"
    assert site.doctor("--json").code == 1  # a person running doctor: a failure


def test_npm_probe_at_an_unpublished_package_is_alive_not_broken(registry_lab, verdaccio, tmp_path):
    sdks = sdk_entries(ts={"package": "@ameideio/not-yet"})
    site = make_site(registry_lab, tmp_path / "repo", {"npm": verdaccio}, sdks=sdks, registries={"npm": {"probe": "/@ameideio%2fnot-yet"}})
    run = site.doctor("--json")
    check = run.check("registries.npm.http")
    assert check["status"] == "warn"
    assert re.fullmatch(
        r"GET /@ameideio%2fnot-yet → 404 Not Found in \d+ ms: the registry answers, "
        r"but the probed package is not published yet",
        check["message"],
    )
    assert check["hint"] == "tilt trigger packages:ts-sdk-publish"
    assert run.check("registries.ts-sdk")["status"] == "fail"  # the version check says what blocks


def test_pypi_names_are_normalised_and_redirects_reported(registry_lab, pypi_index, tmp_path):
    """pypiserver itself redirects a non-normalised project page: a real 301, followed."""
    sdks = sdk_entries(python={"package": "Ameide_SDK", "version": "1.4"})
    site = make_site(
        registry_lab, tmp_path / "repo", {"pypi": pypi_index}, sdks=sdks, tls={"pypi": None}, registries={"pypi": {"probe": "/simple/Ameide_SDK/"}}
    )
    run = site.doctor("--json", "-v")
    health = run.check("registries.pypi.http")
    port = site.proxies["pypi"].port
    assert health["status"] == "ok"
    assert re.fullmatch(
        rf"GET /simple/Ameide_SDK/ → 200 OK after 1 redirect \(to http://{hostname('pypi')}:{port}"
        rf"/simple/ameide-sdk/\) in \d+ ms",
        health["message"],
    )
    assert f"redirect: 301 → http://{hostname('pypi')}:{port}/simple/ameide-sdk/" in health["details"]
    sdk = run.check("registries.python-sdk")
    assert (sdk["status"], sdk["message"]) == ("ok", "Ameide_SDK@1.4 is served (2 versions)")
    assert "read as PEP 503 HTML: 1.3.0, 1.4.0" in sdk["details"]


def test_go_module_paths_with_uppercase_are_escaped(registry_lab, go_proxy, tmp_path):
    sdks = sdk_entries(go={"package": GO_MODULE_MIXED_CASE, "version": "0.9.0"})
    site = make_site(registry_lab, tmp_path / "repo", {"go": go_proxy}, sdks=sdks)
    run = site.doctor("--json", "-v")
    check = run.check("registries.go-sdk")
    assert (check["status"], check["message"]) == ("ok", f"{GO_MODULE_MIXED_CASE}@0.9.0 is served (1 version)")
    port = site.proxies["go"].port
    assert f"url: https://{hostname('go')}:{port}/github.com/!ameide!i!o/!s!d!k-!go/@v/list" in check["details"]


def test_the_go_proxy_fixture_is_a_real_goproxy(go_proxy, tmp_path):
    """The directory the Go tests serve is what `go` itself downloads modules from."""
    go = tool("go")
    env = {
        "PATH": f"{Path(go).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GOPATH": str(tmp_path / "gopath"),
        "GOMODCACHE": str(tmp_path / "modcache"),
        "GOPROXY": go_proxy.url,
        "GOSUMDB": "off",
        "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local",
        "GOCACHE": str(tmp_path / "cache"),
    }
    proc = subprocess.run(
        [go, "mod", "download", "-json", f"{GO_MODULE_MIXED_CASE}@v0.9.0"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"Version": "v0.9.0"' in proc.stdout
    assert (tmp_path / "modcache" / "github.com" / "!ameide!i!o" / "!s!d!k-!go@v0.9.0" / "sdk.go").exists()
    shutil.rmtree(tmp_path / "modcache", ignore_errors=True)


def test_an_oci_registry_that_wants_credentials_is_alive(registry_lab, oci_registry_auth, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"images": oci_registry_auth})
    run = site.doctor("--json")
    assert run.code == 0, run.out
    check = run.check("registries.images.http")
    assert re.fullmatch(r"GET /v2/ → 401 Unauthorized in \d+ ms \(alive; it wants credentials for the API\)", check["message"])


# -- credentials ---------------------------------------------------------------------------------------

SECRETS = (PYPI_PASSWORD, "s3cr3t-npm-token", "YWRtaW46YWRtaW4xMjM")  # the last: base64 of admin:admin123


def test_credentials_in_urls_are_used_and_never_printed(registry_lab, pypi_index_auth, verdaccio, tmp_path):
    site = make_site(
        registry_lab,
        tmp_path / "repo",
        {"pypi": pypi_index_auth, "npm": verdaccio},
        url_auth={"pypi": f"{PYPI_USER}:{PYPI_PASSWORD}"},
        registries={"npm": {"url": f"http://{hostname('npm')}:{{port}}/?token=s3cr3t-npm-token"}},
    )
    # the npm URL carries a token in its query: rewrite the port placeholder now that the proxy has one
    text = site.manifest.read_text().replace("{port}", str(site.proxies["npm"].port))
    site.manifest.write_text(text)
    table, verbose, as_json = site.doctor(), site.doctor("-v"), site.doctor("--json", "-v")
    assert as_json.code == 0, as_json.out + as_json.err
    assert {c["status"] for c in as_json.json()["checks"]} == {"ok"}
    for run in (table, verbose, as_json):
        for secret in SECRETS:
            assert secret not in run.out and secret not in run.err
    python = as_json.check("registries.python-sdk")
    assert "sent authorization: Basic ***" in python["details"]
    assert f"url: https://{hostname('pypi')}:{site.proxies['pypi'].port}/simple/ameide-sdk/" in python["details"]
    assert "sent authorization: Basic ***" in verbose.out
    npm = as_json.check("registries.npm.http")
    assert npm["details"][0] == f"url: http://{hostname('npm')}:{site.proxies['npm'].port}/-/ping?token=***"


def test_a_registry_that_wants_credentials_fails_without_printing_them(registry_lab, pypi_index_auth, tmp_path):
    site = make_site(registry_lab, tmp_path / "repo", {"pypi": pypi_index_auth}, url_auth={"pypi": "admin:wrong-pw-1"})
    run = site.doctor("--json", "-v")
    check = run.check("registries.pypi.http")
    assert check["status"] == "fail"
    # pypiserver answers wrong credentials with 403, none with 401 and a Basic challenge
    assert re.fullmatch(r"GET /simple/ → 403 Forbidden in \d+ ms: it refuses the credentials in the URL", check["message"])
    assert check["hint"] == "fix the user/password in registries.pypi.url in services.yaml (doctor never prints them)"
    assert check["blocked_services"] == ["api"]
    assert "wrong-pw-1" not in run.out + run.err
    anonymous = make_site(registry_lab, tmp_path / "anon", {"pypi": pypi_index_auth}).doctor("--json")
    check = anonymous.check("registries.pypi.http")
    assert re.fullmatch(r"GET /simple/ → 401 Unauthorized in \d+ ms: it wants credentials \(Basic\)", check["message"])
    assert check["hint"] == (
        "give the registry's credentials in registries.pypi.url in services.yaml: "
        "`user:password@` before the host (doctor never prints them), or allow anonymous reads"
    )
