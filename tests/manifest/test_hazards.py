"""Inputs that once crashed devenv (exit 3): each is now one manifest or usage error (exit 2)
naming where. Run in-process through the real CLI app (typer's runner), so the table is cheap."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from devenv.cli import app
from tests.fixtures.manifests import build_tree, deployment
from tests.support.cli import devenv

HEAD = "version: 1\nproject: demo\n"
WEB = "services:\n  web: {sdks: [], context: web, image: demo/web, k8s: [web.yaml]}\n"
REGISTRY = HEAD + 'registries:\n  npm: {{kind: npm, url: "{}"}}\nservices: {{}}\n'

CASES = {
    "service named no": (HEAD + "services:\n  no: {context: web, image: demo/web, k8s: [web.yaml]}\n", "services.yaml:4:3"),
    "service named 1": (HEAD + "services:\n  1: {context: web, image: demo/web, k8s: [web.yaml]}\n", "services.yaml:4:3"),
    "sdk named 1": (HEAD + "sdks:\n  1: {language: go, path: web, package: x}\nservices: {}\n", "sdks.1"),
    "sdk named false, referenced (found by the fuzz harness)": (
        HEAD + "sdks:\n  false: null\nservices:\n  web: {sdks: [ts], context: web, image: demo/web, k8s: [web.yaml]}\n",
        "unknown SDK",
    ),
    "registry named yes": (HEAD + "registries:\n  yes: {kind: npm, url: 'http://x'}\nservices: {}\n", "services.yaml:4:3"),
    "500 levels": (HEAD + "x: " + "[" * 500 + "]" * 500 + "\n", "nest more than 64 levels"),
    "deep mappings": (HEAD + "x: " + "{a: " * 500 + "1" + "}" * 500 + "\n", "nest more than 64 levels"),
    "recursive alias": (HEAD + "x: &a [*a]\n", "recursive alias"),
    "recursive mapping alias": (HEAD + "x: &a {b: *a}\n", "recursive alias"),
    "complex key": (HEAD + "? [a]\n: 1\n", "keys must be plain names"),
    "bracketed non-IP": (REGISTRY.format("http://[zz]:1"), "is not a valid URL"),
    "port out of range": (REGISTRY.format("http://x:99999"), "Port out of range"),
    "port zero": (REGISTRY.format("http://x:0"), "port 0 is out of range"),
    "empty label": (REGISTRY.format("http://a..b"), "not a valid international domain name"),
    "bad punycode": (REGISTRY.format("http://xn--zz--:80"), "not a host name or IP"),
    "target": (HEAD + "build: {extra_hosts: {target: foo}}\n" + WEB, "neither 'host-gateway' nor an IP"),
    "fallback": (HEAD + "build: {extra_hosts: {fallback: gateway}}\n" + WEB, "is not an IP address"),
    "override_env PATH": (HEAD + "build: {extra_hosts: {override_env: PATH}}\n" + WEB, "'PATH' is a variable"),
    "k8s path with a NUL": (HEAD + 'services:\n  web: {context: web, image: demo/web, k8s: ["web\\0.yaml"]}\n', "contains the character U+0000"),
    "context with a NUL": (HEAD + 'services:\n  web: {context: "web\\0", image: demo/web, k8s: [web.yaml]}\n', "services.web.context: contains"),
    "k8s file is a folder": (HEAD + "services:\n  web: {context: web, image: demo/web, k8s: [web]}\n", "services.web.k8s.0: 'web' is a folder, not a file"),
    "dockerfile is a folder": (HEAD + "services:\n  web: {context: web, image: demo/web, dockerfile: web, k8s: [web.yaml]}\n", "'web' is a folder, not a file"),
    "helm values is a folder": (HEAD + "services:\n  web: {helm: {chart: web, values: [web]}}\n", "helm.values.0: 'web' is a folder, not a file"),
    "k8s symlink loop": (HEAD + "services:\n  web: {context: web, image: demo/web, k8s: [loop]}\n", "Too many levels of symbolic links"),
    "template divides by zero": (HEAD + WEB, "Tiltfile.tmpl:2: template error: ZeroDivisionError"),
    "template not UTF-8": (HEAD + WEB, "Tiltfile.tmpl: not UTF-8"),
}

TEMPLATES = {"template divides by zero": b"a\nb {{ 1/0 }}\n", "template not UTF-8": b"a\xff\xfe\n"}


@pytest.mark.parametrize("name", CASES)
def test_hazard_is_a_clear_exit_2(tmp_path, monkeypatch, name):
    text, says = CASES[name]
    root = build_tree(tmp_path, {"services.yaml": text, "web/Dockerfile": "FROM scratch\n", "web.yaml": deployment("web", "demo/web")})
    (root / "loop").symlink_to("loop")
    if name in TEMPLATES:
        (root / "Tiltfile.tmpl").write_bytes(TEMPLATES[name])
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["render", "--stdout"], catch_exceptions=False)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2, output
    assert says in output and "internal error" not in output, output


@pytest.mark.parametrize("url", ["http://localhost:4873", "https://bücher.example/npm", "http://[::1]:80/", "http://10.0.0.1"])
def test_good_urls_pass(url):
    from devenv.manifest.addresses import url_problem

    assert url_problem(url) is None


@pytest.mark.parametrize(
    "proto,says",
    [
        ("Proto", "did you mean 'proto'?"),
        ("protos", "did you mean 'proto'?"),
        ("nowhere", "'nowhere' does not exist"),
        ("dangling", "'dangling' does not exist"),
        ("loop", "Too many levels of symbolic links"),
    ],
)
def test_a_missing_proto_path_is_an_error_with_did_you_mean(tmp_path, monkeypatch, proto, says):
    text = HEAD + f"proto: {{path: {proto}}}\n" + WEB
    root = build_tree(tmp_path, {"services.yaml": text, "proto/a.proto": "", "web/Dockerfile": "FROM scratch\n", "web.yaml": deployment("web", "demo/web")})
    (root / "dangling").symlink_to("nowhere")  # a link to no workspace, or a loop, is none either
    (root / "loop").symlink_to("loop")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["lint"], catch_exceptions=False)
    assert result.exit_code == 2 and "proto.path" in result.output and says in result.output, result.output


def test_a_helm_chart_folder_needs_chart_yaml(tmp_path, monkeypatch):
    text = HEAD + "services:\n  web: {helm: {chart: chart}}\n"
    root = build_tree(tmp_path, {"services.yaml": text, "chart/values.yaml": "a: 1\n"})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["render", "--stdout"], catch_exceptions=False)
    assert result.exit_code == 2 and "has no Chart.yaml" in result.output, result.output


@pytest.mark.parametrize("field", ["k8s", "dockerfile", "helm values"])
def test_a_fifo_where_render_reads_a_file_is_a_problem_at_its_place(tmp_path, field):
    """Render blocked for ever opening a FIFO named as a k8s file (and helm would on values): now
    one problem naming it, exit 2, the Tiltfile untouched. A subprocess, with a timeout: the old
    code hangs."""
    services = {
        "k8s": "  web: {sdks: [], context: web, image: demo/web, k8s: [pipe.yaml]}\n",
        "dockerfile": "  web: {sdks: [], context: web, image: demo/web, dockerfile: pipe.yaml, k8s: [web.yaml]}\n",
        "helm values": "  web: {sdks: [], helm: {chart: chart, values: [pipe.yaml]}}\n",
    }
    root = build_tree(
        tmp_path,
        {
            "services.yaml": HEAD + "services:\n" + services[field],
            "web/Dockerfile": "FROM scratch\n",
            "web.yaml": deployment("web", "demo/web"),
            "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
            "Tiltfile": "# kept\n",
        },
    )
    os.mkfifo(root / "pipe.yaml")
    result = devenv("render", "--force", cwd=root, timeout=60)
    assert result.code == 2, result.err
    assert "services.yaml:4:" in result.err and "'pipe.yaml' is a FIFO (named pipe)" in result.err and "Traceback" not in result.err
    assert (root / "Tiltfile").read_text() == "# kept\n"


def test_a_fifo_as_a_workspace_sdks_package_file_is_not_read(tmp_path):
    """Validation read a workspace SDK's package.json for its version with read_text: a FIFO
    there hung every command that loads the manifest. It is passed over, as an unreadable one."""
    text = HEAD + "sdks:\n  ts: {language: typescript, source: workspace, path: sdk, package: '@a/ts', version: 1.0.0}\n" + WEB
    root = build_tree(tmp_path, {"services.yaml": text, "web/Dockerfile": "FROM scratch\n", "web.yaml": deployment("web", "demo/web")})
    (root / "sdk").mkdir()
    os.mkfifo(root / "sdk/package.json")
    result = devenv("render", "--stdout", cwd=root, timeout=60)
    assert result.code == 0 and "Traceback" not in result.err, result.err
