"""`devenv sdk verify` for `source: buf` SDKs, over real HTTP against the stand-ins for the BSR's
endpoints that doctor's Buf tests use (tests/support/bsr.py): a real Verdaccio under /gen/npm/v1
behind the loopback path-rewriting router, holding SDKs built from the example's proto workspace
by `npm pack` under the BSR's package name and Buf versions. A real 401 (Verdaccio's, anonymous
read of a login-only `@buf/private_*` package), and its npm token accepted as the BSR bearer."""

from __future__ import annotations

import json
import sys

import pytest
import yaml

from tests.sdk.verify import artifacts
from tests.sdk.verify.repo import write_repo
from tests.support import bsr
from tests.support.cli import devenv

pytestmark = pytest.mark.integration
PLUGIN = f"{bsr.HOST}/bufbuild/es"
# Buf versions (PLUGINVERSION-TIMESTAMP-COMMIT.REVISION) beside the fixture's own NPM_VERSION
COMPLETE = "2.2.0-20240105174326-7d1ab5b6f0d1.2"
GAP = "2.2.0-20240105174326-7d1ab5b6f0d1.3"


def _publish(work, registry: str, token: str, name: str, version: str, variant: str) -> None:
    import subprocess

    folder = artifacts.npm_folder(work / name.replace("/", "_") / version, variant)
    document = json.loads((folder / "package.json").read_text())
    (folder / "package.json").write_text(json.dumps({**document, "name": name, "version": version}))
    env = artifacts.npm_env(folder.parent, registry, token)
    tarball = artifacts.npm_pack(folder, env)
    done = subprocess.run(
        ["npm", "publish", str(tarball), "--access", "public", "--tag", "buf", "--registry", f"{registry}/"],
        cwd=folder.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def bsr_npm(bsr_servers, tmp_path_factory):
    """The BSR stand-in with the public SDK complete and with a gap, and the private SDK complete."""
    router, token = bsr_servers
    verdaccio = next(r.upstream for r in router.handler.routes if r.prefix == "/gen/npm/v1")
    work = tmp_path_factory.mktemp("bsr-sdks")
    _publish(work, verdaccio.url, token, bsr.NPM_PUBLIC, COMPLETE, "complete")
    _publish(work, verdaccio.url, token, bsr.NPM_PUBLIC, GAP, "no-generated")
    _publish(work, verdaccio.url, token, bsr.NPM_PRIVATE, COMPLETE, "complete")
    return router, token


def _repo(folder, module: str, version: str, registry: str | None = None):
    """A repository with the proto workspace and one Buf SDK `ts` (its BSR endpoint derived, or `registry`)."""
    path = write_repo(folder, {})
    doc = yaml.safe_load(path.read_text())
    sdk = {"language": "typescript", "source": "buf", "buf": {"module": module, "plugin": PLUGIN}, "version": version}
    if registry:
        doc["registries"] = {"bsr": {"kind": "npm", "url": registry}}
        sdk["registry"] = "bsr"
    doc["sdks"] = {"ts": sdk}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _gaps(doc):
    return [(f["kind"], f["proto"], f["path"]) for sdk in doc["sdks"] for f in sdk["findings"]]


def _verify(repo, *args, env=None):
    """`devenv sdk verify` without --source: the SDK's own `source: buf` picks the fetch."""
    run = devenv(
        "sdk", "verify", "ts", *args, "--json", "-f", str(repo), cwd=repo.parent, timeout=120, env={"BUF_TOKEN": "", "HOME": str(repo.parent), **(env or {})}
    )
    assert run.code in (0, 1), run.out + run.err
    return run, json.loads(run.out)


@pytest.mark.parametrize("version", [COMPLETE, GAP])
def test_default_bsr_endpoint_of_the_module_host(version, bsr_npm, registry_lab, tmp_path):
    """No `registry`: https://<module host>/gen/npm/v1 (the lab's TLS proxy with the test CA), the derived name."""
    router, _ = bsr_npm
    registry_lab.expose(bsr.HOST, router.upstream, tls="good", port=443)
    repo = _repo(tmp_path / "repo", f"{bsr.HOST}/acme/apis", version)
    router.seen.clear()
    argv = [sys.executable, "-m", "devenv", "sdk", "verify", "ts", "--json", "-f", str(repo)]
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(tmp_path), "SSL_CERT_FILE": str(registry_lab.net.ca_pem)}
    done = registry_lab.sandbox("nxdomain").run(argv, env=env, cwd=repo.parent, timeout=120)
    assert done.code == (0 if version == COMPLETE else 1), done.out + done.err
    sdk = json.loads(done.out)["sdks"][0]
    assert (sdk["source"], sdk["package"], sdk["version"]) == ("buf", bsr.NPM_PUBLIC, version)
    assert "tarball matches dist.integrity (sha512)" in sdk["passed"]
    expected = [] if version == COMPLETE else [("missing-generated", artifacts.DROPPED, "dist/gen/ameide/graph/v1/graph_pb.js")]
    assert _gaps({"sdks": [sdk]}) == expected
    assert ("/gen/npm/v1/@buf%2facme_apis.bufbuild_es", "") in router.seen


def test_login_only_sdk_without_a_token_is_a_401_fetch_gap(bsr_npm, tmp_path):
    router, _ = bsr_npm
    repo = _repo(tmp_path / "repo", f"{bsr.HOST}/private/apis", COMPLETE, registry=f"{router.upstream.url}/gen/npm/v1")
    run, doc = _verify(repo)
    assert run.code == 1
    [finding] = doc["sdks"][0]["findings"]
    assert finding["kind"] == "fetch" and "answered 401" in finding["message"] and "needs a token" in finding["message"]
    assert "set BUF_TOKEN" in finding["hint"] and "buf registry login 127.0.0.1" in finding["hint"]


@pytest.mark.parametrize("where", ["BUF_TOKEN", "netrc"])
def test_the_bsr_token_is_sent_as_bearer_and_never_printed(where, bsr_npm, tmp_path):
    router, token = bsr_npm
    repo = _repo(tmp_path / "repo", f"{bsr.HOST}/private/apis", COMPLETE, registry=f"{router.upstream.url}/gen/npm/v1")
    env = {"BUF_TOKEN": f"{token}@127.0.0.1"} if where == "BUF_TOKEN" else {}
    if where == "netrc":
        (repo.parent / ".netrc").write_text(f"machine 127.0.0.1\n  login devenv\n  password {token}\n")
        (repo.parent / ".netrc").chmod(0o600)
    router.seen.clear()
    run, doc = _verify(repo, env=env)
    assert run.code == 0 and doc["ok"], doc
    assert doc["sdks"][0]["package"] == bsr.NPM_PRIVATE
    assert ("/gen/npm/v1/@buf%2fprivate_apis.bufbuild_es", f"Bearer {token}") in router.seen
    assert token not in run.out + run.err


def test_python_and_go_are_fetched_from_their_bsr_paths(bsr_npm, tmp_path):
    """/gen/python is the simple index itself (no /simple added): the fixture's Buf-named wheel is
    fetched and hash-checked (it holds no generated code: content gaps, no fetch gap). /gen/go serves
    `.info`/`.mod` but no `.zip` for the module: a fetch gap naming the zip the go command would get."""
    router, _ = bsr_npm
    path = write_repo(tmp_path / "repo", {})
    doc = yaml.safe_load(path.read_text())
    doc["registries"] = {"py": {"kind": "pypi", "url": f"{router.upstream.url}/gen/python"}, "go": {"kind": "goproxy", "url": f"{router.upstream.url}/gen/go"}}
    module = f"{bsr.HOST}/acme/apis"
    doc["sdks"] = {
        "py": {
            "language": "python",
            "source": "buf",
            "registry": "py",
            "version": bsr.PY_VERSION,
            "buf": {"module": module, "plugin": f"{bsr.HOST}/protocolbuffers/python"},
        },
        "go": {
            "language": "go",
            "source": "buf",
            "registry": "go",
            "version": bsr.GO_VERSION,
            "buf": {"module": module, "plugin": f"{bsr.HOST}/protocolbuffers/go"},
        },
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    run = devenv("sdk", "verify", "--all", "--json", "-f", str(path), cwd=tmp_path, timeout=120, env={"BUF_TOKEN": "", "HOME": str(tmp_path)})
    assert run.code == 1, run.out + run.err
    sdks = {s["sdk"]: s for s in json.loads(run.out)["sdks"]}
    py, go = sdks["py"], sdks["go"]
    assert py["package"] == bsr.PY_PROJECT and py["source"] == "buf"
    assert any(p.endswith("matches the index's sha256") for p in py["passed"]), json.dumps(py)
    assert py["findings"] and "fetch" not in {f["kind"] for f in py["findings"]}
    [gap] = go["findings"]
    assert gap["kind"] == "fetch" and f"/gen/go/{bsr.HOST}/{bsr.GO_MODULE_PATH}/@v/{bsr.GO_VERSION}.zip answered 404" in gap["message"]
