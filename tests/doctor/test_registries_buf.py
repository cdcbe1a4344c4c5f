"""`devenv doctor --only registries` for `source: buf` SDKs, over real HTTP against real servers
standing in for the BSR's endpoints (tests/support/bsr.py): Verdaccio under /gen/npm/v1 (a public
and a login-only `@buf` package), pypiserver with a Buf-named wheel under /gen/python, a GOPROXY
directory under /gen/go. The module's host is `bsr.example.io`, reached on port 443 through the
lab's TLS proxy with the test CA, so the default endpoints (`https://<host>/gen/...`) are what is
asked. A real 401 (Verdaccio's, anonymous), a real 404 (a commit never generated)."""

from __future__ import annotations

import pytest
import yaml

from tests.support import bsr

pytestmark = pytest.mark.integration
HOST = bsr.HOST


def _sdk(language: str, plugin: str, version: str, module: str = f"{HOST}/acme/apis") -> dict:
    return {"language": language, "source": "buf", "buf": {"module": module, "plugin": f"{HOST}/{plugin}"}, "version": version}


SDKS = {
    "ts": _sdk("typescript", "bufbuild/es", bsr.NPM_VERSION),
    "go": _sdk("go", "protocolbuffers/go", bsr.GO_VERSION),
    "python": _sdk("python", "protocolbuffers/python", bsr.PY_VERSION),
    "private": _sdk("typescript", "bufbuild/es", bsr.NPM_VERSION, module=f"{HOST}/private/apis"),
    "ungenerated": _sdk("go", "protocolbuffers/go", "v1.34.0-20240301000000-ffffffffffff.1"),
    "other": _sdk("typescript", "bufbuild/es", bsr.NPM_VERSION, module=f"{HOST}/acme/other"),
    "linked": {"language": "python", "source": "workspace", "path": "sdk_py", "package": "acme-sdk"},
}


@pytest.fixture
def site(registry_lab, bsr_servers, tmp_path):
    router, token = bsr_servers
    registry_lab.expose(HOST, router.upstream, tls="good", port=443)
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "services.yaml").write_text(yaml.safe_dump({"version": 1, "project": "demo", "sdks": SDKS}))
    env = {"SSL_CERT_FILE": str(registry_lab.net.ca_pem), "HOME": str(tmp_path), "BUF_TOKEN": ""}
    return registry_lab, folder / "services.yaml", env, router, token


def test_buf_sdks_on_their_bsr_endpoints(site):
    lab, manifest, env, router, token = site
    run = lab.doctor(manifest, "--json", env=env)
    checks = run.checks()
    assert {i: c["status"] for i, c in checks.items()} == {
        "registries.ts-sdk": "ok",
        "registries.go-sdk": "ok",
        "registries.python-sdk": "ok",
        "registries.private-sdk": "fail",
        "registries.ungenerated-sdk": "fail",
        "registries.other-sdk": "fail",
    }, run.out + run.err  # the workspace SDK gets no registry check
    assert checks["registries.ts-sdk"]["message"] == f"{bsr.NPM_PUBLIC}@{bsr.NPM_VERSION} is generated (https://{HOST}/gen/npm/v1)"
    assert checks["registries.python-sdk"]["message"] == f"{bsr.PY_PROJECT}@{bsr.PY_VERSION} is generated (https://{HOST}/gen/python)"
    private = checks["registries.private-sdk"]
    assert "→ 401" in private["message"] and "needs a token" in private["message"]
    assert "set BUF_TOKEN" in private["hint"] and f"buf registry login {HOST}" in private["hint"]
    for missing in ("ungenerated", "other"):
        found = checks[f"registries.{missing}-sdk"]
        assert "is not generated for this plugin and commit" in found["message"] and "404" in found["message"]
        assert "buf registry sdk version" in found["hint"]
    assert "ffffffffffff" in checks["registries.ungenerated-sdk"]["hint"]
    paths = [p for p, _ in router.seen]
    assert f"/gen/go/{HOST}/gen/go/acme/apis/protocolbuffers/go/@v/{bsr.GO_VERSION}.info" in paths
    assert f"/gen/python/{bsr.PY_PROJECT}/" in paths
    assert run.code == 1


def test_the_token_from_buf_token_is_sent_as_bearer_and_never_printed(site):
    lab, manifest, env, router, token = site
    router.seen.clear()
    run = lab.doctor(manifest, "--json", "-v", env={**env, "BUF_TOKEN": token})
    assert run.check("registries.private-sdk")["status"] == "ok", run.out
    assert ("/gen/npm/v1/@buf%2fprivate_apis.bufbuild_es", f"Bearer {token}") in router.seen
    assert token not in run.out + run.err
    text = lab.doctor(manifest, "-v", env={**env, "BUF_TOKEN": token})
    assert token not in text.out + text.err


def test_the_token_from_netrc_for_the_bsr_host(site, tmp_path):
    lab, manifest, env, router, token = site
    (tmp_path / ".netrc").write_text(f"machine {HOST}\n  login devenv\n  password {token}\n")
    (tmp_path / ".netrc").chmod(0o600)
    run = lab.doctor(manifest, "--json", env=env)
    assert run.check("registries.private-sdk")["status"] == "ok", run.out
    assert token not in run.out + run.err


def test_a_refused_token_says_so(site):
    lab, manifest, env, router, token = site
    run = lab.doctor(manifest, "--json", env={**env, "BUF_TOKEN": "not-a-token"})
    private = run.check("registries.private-sdk")
    assert private["status"] == "fail" and "refused the token given" in private["message"]
    assert "not-a-token" not in run.out + run.err


def test_a_buf_sdk_on_a_registry_entry_waits_for_its_http_check(registry_lab, bsr_servers, tmp_path):
    """`registry:` naming a `registries:` entry (a mirror of the BSR): that URL is asked, after its dns/tls/http."""
    router, token = bsr_servers
    registry_lab.expose(HOST, router.upstream, tls="good", port=443)
    folder = tmp_path / "mirror"
    folder.mkdir()
    doc = {
        "version": 1,
        "project": "demo",
        "registries": {"bsr": {"kind": "npm", "url": f"https://{HOST}/gen/npm/v1"}},
        "sdks": {"ts": {**SDKS["ts"], "registry": "bsr"}},
    }
    (folder / "services.yaml").write_text(yaml.safe_dump(doc))
    run = registry_lab.doctor(folder / "services.yaml", "--json", env={"SSL_CERT_FILE": str(registry_lab.net.ca_pem), "HOME": str(tmp_path)})
    checks = run.checks()
    assert {i: c["status"] for i, c in checks.items()} == {
        "registries.bsr.dns": "ok",
        "registries.bsr.tls": "ok",
        "registries.bsr.http": "ok",
        "registries.ts-sdk": "ok",
    }, run.out + run.err
    assert checks["registries.ts-sdk"]["message"] == f"{bsr.NPM_PUBLIC}@{bsr.NPM_VERSION} is generated (https://{HOST}/gen/npm/v1)"
