"""Every validation rule: its message, its line, exit code 2, and an existing Tiltfile untouched.

Each case is a whole manifest; the line marked `# <-` is where the problem must be reported.
"""

import pytest

from tests.fixtures.manifests import build_tree, deployment
from tests.support.cli import devenv

FILES = {
    "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    "svc/web/Dockerfile": "FROM scratch\n",
    "svc/api/Dockerfile": "FROM scratch\n",
    "k8s/web.yaml": deployment("web", "demo/web"),
    "k8s/api.yaml": deployment("api", "demo/api"),
    "proto/Dockerfile": "FROM scratch\n",
    "sdk/ts/package.json": '{"name": "@demo/sdk", "version": "1.0.0"}\n',
}

BASE = """\
version: 1
project: demo
registries:
  npm: {kind: npm, url: "http://npm.example.io"}
proto: {path: proto, names: ["@demo/proto"], allowed: [sdk/ts]}
sdks:
  ts:
    language: typescript
    path: sdk/ts
    package: "@demo/sdk"
    registry: npm
    steps: {build: {cmd: make}}
services:
  web:
    language: typescript
    context: svc/web
    image: demo/web
    k8s: [k8s/web.yaml]
    port_forwards: ["3000"]
  api:
    language: typescript
    context: svc/api
    image: demo/api
    k8s: [k8s/api.yaml]
    after: [web]
"""

TILTFILE = "# a Tiltfile someone relies on\n"

CASES = {
    "unknown key with did-you-mean": (
        BASE.replace("    port_forwards:", "    labelz: [x]  # <-\n    port_forwards:"),
        "services.web.labelz: unknown key 'labelz'",
        "did you mean 'labels'?",
    ),
    "unknown top-level key": (BASE + "registry: {}  # <-\n", "registry: unknown key 'registry'", "did you mean 'registries'?"),
    "duplicate service name": (BASE + "  web:  # <-\n    sdks: []\n    k8s: [k8s/web.yaml]\n", "duplicate key 'web' (first defined at line 14)", ""),
    "unknown after": (BASE.replace("after: [web]", "after: [wbe]  # <-"), "services.api.after.0: unknown service 'wbe'", "did you mean 'web'?"),
    "unknown sdk": (BASE.replace("    port_forwards:", "    sdks: [tss]  # <-\n    port_forwards:"), "unknown SDK 'tss'", "did you mean 'ts'?"),
    "unknown registry": (BASE.replace("registry: npm", "registry: nmp  # <-"), "sdks.ts.registry: unknown registry 'nmp'", "did you mean 'npm'?"),
    "cycle printed as a path": (
        BASE.replace("    port_forwards:", "    after: [api]  # <-\n    port_forwards:"),
        "dependency cycle: web -> api -> web",
        "remove one of these",
    ),
    "language without sdk": (
        BASE.replace("  api:\n    language: typescript", "  api:\n    language: go  # <-"),
        "no SDK is declared for language 'go'",
        "sdks: []",
    ),
    "missing context": (BASE.replace("context: svc/api", "context: svc/gone  # <-"), "'svc/gone' does not exist", ""),
    "missing dockerfile": (BASE.replace("context: svc/api", "context: svc/api\n    dockerfile: svc/api/Nope  # <-"), "'svc/api/Nope' does not exist", ""),
    "missing k8s file": (BASE.replace("k8s: [k8s/api.yaml]", "k8s: [k8s/nope.yaml]  # <-"), "'k8s/nope.yaml' does not exist", ""),
    "missing chart": (BASE.replace("k8s: [k8s/api.yaml]", "helm: {chart: charts/nope}  # <-"), "'charts/nope' does not exist", ""),
    "path leaves the repository": (BASE.replace("context: svc/api", "context: ../../etc  # <-"), "'../../etc' leaves the repository", ""),
    "invalid image": (BASE.replace("image: demo/api", "image: Demo//API  # <-"), "'Demo//API' is not a valid image reference", ""),
    "duplicate local port": (
        BASE.replace("after: [web]", 'after: [web]\n    port_forwards: ["3000:80"]  # <-'),
        "local port 3000 is already forwarded by 'web'",
        "",
    ),
    "service inside proto workspace": (
        BASE.replace("context: svc/api\n    image", "context: proto  # <-\n    image"),
        "'proto' lies inside the proto workspace 'proto'",
        "only SDKs consume the proto workspace",
    ),
    "label not a qualified name": (
        BASE.replace("    port_forwards:", '    labels: ["my apps"]  # <-\n    port_forwards:'),
        "label 'my apps' is not a Kubernetes qualified name",
        "63",
    ),
    "invalid helm release name": (
        BASE.replace("  api:\n", "  api_db:  # <-\n")
        .replace("k8s: [k8s/api.yaml]", "helm: {chart: charts/api}")
        .replace("after: [web]", "after: [web]\n    workload: api"),
        "'api_db' is not a valid Helm release name",
        "set `helm.release`",
    ),
    "sdk build arg clash": (
        BASE.replace("services:\n", "  Ts:  # <-\n    language: typescript\n    path: sdk/ts\n    package: other\nservices:\n", 1),
        "build arg 'TS_SDK_VERSION' also carries the version of sdk 'ts'",
        "build_arg",
    ),
    "sdk build arg hides a shared one": (
        BASE.replace("registries:\n", "build: {build_args: {NPM_REGISTRY: x}}\nregistries:\n").replace(
            "    registry: npm\n", "    registry: npm\n    build_arg: NPM_REGISTRY  # <-\n"
        ),
        "build arg 'NPM_REGISTRY' is also one of `build.build_args`",
        "another `build_arg:`",
    ),
    "port forward shape": (
        BASE.replace('port_forwards: ["3000"]', 'port_forwards: ["localhost:3000"]  # <-'),
        "expected 'LOCAL', 'LOCAL:CONTAINER' or 'HOST:LOCAL:CONTAINER'",
        "",
    ),
    "live_update sync outside the context": (
        BASE.replace("after: [web]", "after: [web]\n    live_update: [{sync: {from: svc/web, to: /app}}]  # <-"),
        "'svc/web' is outside the build context 'svc/api'",
        "inside the docker_build context",
    ),
    "live_update sync to a relative path": (
        BASE.replace("after: [web]", "after: [web]\n    live_update: [{sync: {from: svc/api, to: app}}]  # <-"),
        "'app' must be an absolute path in the container",
        "",
    ),
    "both k8s and helm": (
        BASE.replace("k8s: [k8s/api.yaml]", "k8s: [k8s/api.yaml]\n    helm: {chart: charts/api}  # <-"),
        "has both `k8s` and `helm`",
        "keep one",
    ),
    "deploys nothing": (BASE.replace("    k8s: [k8s/api.yaml]\n", "").replace("  api:\n", "  api:  # <-\n"), "deploys nothing", "helm"),
    "image without context": (
        BASE.replace("    context: svc/api\n", "").replace("image: demo/api", "image: demo/api  # <-"),
        "has an image but no `context`",
        "",
    ),
    "two services build one image": (BASE.replace("image: demo/api", "image: demo/web  # <-"), "image 'demo/web' is also built by service 'web'", ""),
    "step resource names clash": (
        BASE.replace("sdks:\n", "sdks:\n  ts-sdk-build:\n    language: go\n    path: sdk/ts\n    package: x\n    steps: {a: {cmd: make}}\n", 1).replace(
            "    steps: {build: {cmd: make}}", "    steps:\n      build: {cmd: make}\n      build-sdk-a: {cmd: make}  # <-"
        ),
        "step resource 'packages:ts-sdk-build-sdk-a' is also that of sdk 'ts-sdk-build' step 'a'",
        "rename",
    ),
    "container port out of range": (BASE.replace('port_forwards: ["3000"]', 'port_forwards: ["3000:70000"]  # <-'), "container port 70000 is out of range", ""),
    "invalid namespace": (BASE + "cluster: {namespace: My_NS}  # <-\n", "'My_NS' is not a valid namespace name", ""),
    "wrong type": (BASE.replace("version: 1", "version: 2  # <-"), "version: '2' is not allowed", ""),
    "bad step name": (BASE.replace("steps: {build: {cmd: make}}", "steps:\n      bu ild: {cmd: make}  # <-"), "'bu ild' is not valid", ""),
    "button on an unknown resource": (
        BASE + "buttons:\n  seed: {text: Seed, cmd: make seed, resource: wbe}  # <-\n",
        "buttons.seed.resource: no resource 'wbe' in the Tiltfile",
        "did you mean 'web'?",
    ),
    "registry deployment not NAMESPACE/NAME": (
        BASE.replace('url: "http://npm.example.io"}', 'url: "http://npm.example.io", deployment: verdaccio}  # <-'),
        "registries.npm.deployment",
        "",
    ),
    "link without a scheme": (BASE.replace('port_forwards: ["3000"]', 'port_forwards: ["3000"]\n    links: [localhost:3000]  # <-'), "services.web.links", ""),
    "unknown trigger": (BASE.replace('port_forwards: ["3000"]', 'port_forwards: ["3000"]\n    trigger: sometimes  # <-'), "services.web.trigger", ""),
    "step auto_init not a boolean": (BASE.replace("steps: {build: {cmd: make}}", "steps: {build: {cmd: make, auto_init: later}}  # <-"), "auto_init", ""),
    "buf sdk without buf": (
        BASE.replace(
            '    path: sdk/ts\n    package: "@demo/sdk"\n    registry: npm\n', "    source: buf\n    version: 1.2.1-20230727062025-d8fbf2620c60.1\n"
        ).replace("  ts:\n", "  ts:  # <-\n", 1),
        "a `source: buf` SDK needs `buf:",
        "module",
    ),
    "buf sdk with an unparseable version": (
        BASE.replace(
            '    path: sdk/ts\n    package: "@demo/sdk"\n    registry: npm\n',
            "    source: buf\n    buf: {module: buf.build/demo/apis, plugin: buf.build/bufbuild/es}\n    version: 1.2.1  # <-\n",
        ),
        "'1.2.1' is not a Buf generated SDK version for npm",
        "PLUGINVERSION-TIMESTAMP-COMMIT.REVISION",
    ),
    "buf go version without v": (
        BASE.replace(
            '    language: typescript\n    path: sdk/ts\n    package: "@demo/sdk"\n    registry: npm\n',
            "    language: go\n    source: buf\n    buf: {module: buf.build/demo/apis, plugin: buf.build/protocolbuffers/go}\n"
            "    version: 1.33.0-20230913231627-233fca715f49.1  # <-\n",
            1,
        ).replace("sdks: [", "sdks: ["),
        "is not a Buf generated SDK version for go",
        "vPLUGINVERSION",
    ),
    "buf package differs from the derived one": (
        BASE.replace(
            '    path: sdk/ts\n    package: "@demo/sdk"\n    registry: npm\n',
            "    source: buf\n    buf: {module: buf.build/demo/apis, plugin: buf.build/bufbuild/es}\n"
            '    package: "@buf/demo_apis.es"  # <-\n    version: 1.2.1-20230727062025-d8fbf2620c60.1\n',
        ),
        "is not the BSR's name for this SDK: it is '@buf/demo_apis.bufbuild_es'",
        "write `package: @buf/demo_apis.bufbuild_es`",
    ),
    "buf module shape": (
        BASE.replace(
            '    path: sdk/ts\n    package: "@demo/sdk"\n    registry: npm\n',
            "    source: buf\n    buf: {module: demo/apis, plugin: buf.build/bufbuild/es}  # <-\n    version: 1.2.1-20230727062025-d8fbf2620c60.1\n",
        ),
        "sdks.ts.buf.module",
        "",
    ),
    "workspace sdk with a registry": (
        BASE.replace("    registry: npm\n", "    source: workspace\n    registry: npm  # <-\n"),
        "a `source: workspace` SDK has no registry",
        "remove `registry`",
    ),
    "workspace sdk version is not its own": (
        BASE.replace("    registry: npm\n", "    source: workspace\n    version: 2.0.0  # <-\n"),
        "'2.0.0' is not the SDK's own version: package.json says 1.0.0",
        "write `version: 1.0.0`",
    ),
    "sdk version with a trailing space": (
        BASE.replace("    registry: npm\n", "    registry: npm\n    version: '1.2.3 '  # <-\n"),
        "sdks.ts.version: '1.2.3 ' is not valid: one word without spaces",
        "e.g. '1.2.3'",
    ),
    "sdk version with a space inside": (
        BASE.replace("    registry: npm\n", "    registry: npm\n    version: 1.2 .3  # <-\n"),
        "sdks.ts.version: '1.2 .3' is not valid",
        "",
    ),
    "sdk version with a line break": (
        BASE.replace("    registry: npm\n", '    registry: npm\n    version: "1.2.3\\n"  # <-\n'),
        "sdks.ts.version: '1.2.3\\n' is not valid",
        "",
    ),
    "registry sdk without package": (
        BASE.replace('    package: "@demo/sdk"\n', "").replace("  ts:\n", "  ts:  # <-\n", 1),
        "a `source: registry` SDK needs `package`",
        "",
    ),
}


def _expected_line(text: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if "# <-" in line)


@pytest.mark.parametrize("name", list(CASES))
def test_rule(tmp_path, name):
    text, message, hint = CASES[name]
    build_tree(tmp_path, FILES)
    (tmp_path / "services.yaml").write_text(text)
    (tmp_path / "Tiltfile").write_text(TILTFILE)
    result = devenv("render", cwd=tmp_path)
    assert result.code == 2, result
    assert "Traceback" not in result.err
    line = _expected_line(text)
    matching = [row for row in result.err.splitlines() if row.startswith(f"services.yaml:{line}:")]
    assert matching, f"nothing reported at line {line}:\n{result.err}"
    assert any(message in row for row in matching), result.err
    assert hint in result.err
    assert (tmp_path / "Tiltfile").read_text() == TILTFILE


def test_all_problems_are_reported_together(tmp_path):
    text = (
        BASE.replace("after: [web]", "after: [wbe]")
        .replace("image: demo/api", "image: Demo//x")
        .replace("    port_forwards:", "    labelz: [x]\n    port_forwards:")
    )
    build_tree(tmp_path, FILES)
    (tmp_path / "services.yaml").write_text(text)
    result = devenv("render", cwd=tmp_path)
    assert result.code == 2
    assert "unknown key 'labelz'" in result.err
    assert "unknown service 'wbe'" in result.err
    assert "not a valid image reference" in result.err
    assert "3 problems in the manifest" in result.err


def test_valid_base_renders(tmp_path):
    build_tree(tmp_path, FILES)
    (tmp_path / "services.yaml").write_text(BASE)
    result = devenv("render", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (tmp_path / "Tiltfile").exists()


@pytest.mark.parametrize("content, message", [("", "the manifest is empty"), ("- a\n- b\n", "must be a mapping"), ("a: [1,\n", "invalid YAML")])
def test_unusable_files(tmp_path, content, message):
    (tmp_path / "services.yaml").write_text(content)
    result = devenv("render", cwd=tmp_path)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err


def test_missing_manifest_is_one_clear_message(tmp_path):
    result = devenv("render", "-f", "nope.yaml", cwd=tmp_path)
    assert result.code == 2
    assert result.err.strip().splitlines()[0] == "devenv: error: manifest not found: nope.yaml"


def test_manifest_found_in_a_parent_folder(tmp_path):
    build_tree(tmp_path, FILES)
    (tmp_path / "services.yaml").write_text(BASE)
    result = devenv("render", "--stdout", cwd=tmp_path / "svc" / "web")
    assert result.code == 0 and "docker_build(" in result.out
