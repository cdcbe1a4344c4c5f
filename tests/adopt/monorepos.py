"""Hand-written Tiltfiles, written the ways teams write them, each in a small monorepo.

- ``dict_loop``: a services dict and a loop, an SDK chain under `packages:*` with
  allow_parallel, a curl health gate, a manual ops task, allowed contexts.
- ``helpers``: helper functions, a Helm service beside plain YAML ones, a Dockerfile with
  another name and a target, live_update, an `include()`d ops Tiltfile (no `load()`), a test
  runner with an argv command and a serve_cmd infra layer a service waits for, and an SDK
  chain under other names (`gen-py-sdk` -> `publish-py-sdk`) that a service's deps end in.
- ``secrets``: `secret_settings`, a token from the environment in build args and a command, a
  token written literally, a password in a local resource's env, a Kubernetes Secret.
"""

from __future__ import annotations

import json
import textwrap


def _deployment(name: str, image: str, port: int, extra: str = "", namespace: str = "") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return (
        textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}{ns}
        spec:
          selector: {{matchLabels: {{app: {name}}}}}
          template:
            metadata: {{labels: {{app: {name}}}}}
            spec:
              containers:
                - name: {name}
                  image: {image}
                  ports: [{{containerPort: {port}}}]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}{ns}
        spec:
          selector: {{app: {name}}}
          ports: [{{port: {port}}}]
        """)
        + extra
    )


DICT_LOOP = {
    "Tiltfile": textwrap.dedent("""\
        # The acme dev loop. Add a service to SERVICES and it gets built and deployed.
        allow_k8s_contexts(['kind-acme', 'k3d-acme'])

        SDK_VERSION = '1.2.0'

        SERVICES = {
            'api': {'context': 'services/api', 'port': '8080:8080', 'deps': ['packages:ts-sdk-publish']},
            'worker': {'context': 'services/worker', 'port': '9090', 'deps': ['api']},
        }

        local_resource(
            'packages:health',
            cmd='curl -fsS http://npm.acme.test:4873/-/ping',
            labels=['packages'],
            allow_parallel=True,
        )
        local_resource('packages:ts-sdk-build', cmd='cd packages/sdk-ts && npm run build',
                       deps=['proto', 'packages/sdk-ts/src'], resource_deps=['packages:health'],
                       labels=['packages'], allow_parallel=True)
        local_resource('packages:ts-sdk-publish', cmd='cd packages/sdk-ts && npm publish',
                       resource_deps=['packages:ts-sdk-build'], labels=['packages'], allow_parallel=True)

        for name, svc in SERVICES.items():
            args = {'TS_SDK_VERSION': SDK_VERSION} if 'packages:ts-sdk-publish' in svc['deps'] else {}
            docker_build('acme/' + name, svc['context'], build_args=args)
            k8s_yaml('k8s/%s.yaml' % name)
            k8s_resource(name, port_forwards=[svc['port']], resource_deps=svc['deps'], labels=['apps'])

        local_resource('db-migrate', cmd='./scripts/migrate.sh', resource_deps=['api'], labels=['ops'],
                       trigger_mode=TRIGGER_MODE_MANUAL, auto_init=False)
        """),
    "proto/buf.yaml": "version: v2\n",
    "proto/acme/v1/api.proto": 'syntax = "proto3";\npackage acme.v1;\n',
    "packages/sdk-ts/package.json": json.dumps({"name": "@acme/sdk-ts", "version": "1.2.0", "dependencies": {"@bufbuild/protobuf": "^2.0.0"}}),
    "packages/sdk-ts/src/index.ts": "export {};\n",
    "services/api/package.json": json.dumps({"name": "api", "dependencies": {"@acme/sdk-ts": "1.2.0"}}),
    "services/api/Dockerfile": "FROM node:22-alpine\nARG TS_SDK_VERSION\nCOPY . /app\n",
    "services/worker/go.mod": "module acme.test/worker\n\ngo 1.22\n",
    "services/worker/Dockerfile": "FROM golang:1.22\nCOPY . /src\n",
    "k8s/api.yaml": _deployment("api", "acme/api", 8080),
    "k8s/worker.yaml": _deployment("worker", "acme/worker", 9090),
    "scripts/migrate.sh": "#!/bin/sh\necho migrate\n",
}

_CHART_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
  labels:
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          ports: [{containerPort: 3000}]
"""

HELPERS = {
    "Tiltfile": textwrap.dedent("""\
        # Shop: Python backends via a helper, the web front end from its Helm chart.
        include('./tilt/ops.Tiltfile')

        REGISTRY = 'registry.local:5000/shop/'

        def py_service(name, port, after=[]):
            docker_build(REGISTRY + name, 'services/' + name,
                         build_args={'PIP_INDEX_URL': os.getenv('PIP_INDEX_URL', 'https://pypi.org/simple/')},
                         live_update=[sync('services/%s/app' % name, '/srv/app')])
            k8s_yaml('deploy/%s.yaml' % name)
            k8s_resource(name, port_forwards=port, resource_deps=after, labels=['backend'])

        # The Python SDK, built and published by targets of its Makefile; orders waits for it.
        local_resource('gen-py-sdk', cmd='make -C packages/py-sdk gen', deps=['proto', 'packages/py-sdk/src'])
        local_resource('publish-py-sdk', cmd='make -C packages/py-sdk publish', resource_deps=['gen-py-sdk'])

        py_service('orders', '8000:8000', after=['infra:localstack', 'publish-py-sdk'])
        py_service('billing', '8001:8000', after=['orders'])

        docker_build(REGISTRY + 'web', 'services/web', dockerfile='services/web/Dockerfile.dev', target='dev')
        k8s_yaml(helm('charts/web', name='web', namespace='shop', values=['deploy/values/web.dev.yaml']))
        k8s_resource('web', port_forwards=['3000:3000'], resource_deps=['orders'], labels=['frontend'])
        """),
    "tilt/ops.Tiltfile": textwrap.dedent("""\
        # Ops resources: kept out of the main Tiltfile.
        local_resource('infra:localstack', serve_cmd='sleep 3600', labels=['infra'])
        local_resource('test:unit', cmd=['python3', '-m', 'pytest', '-q'], dir='../services/orders',
                       deps=['../services/orders/app'], labels=['tests'],
                       trigger_mode=TRIGGER_MODE_MANUAL, allow_parallel=True)
        """),
    "proto/shop/v1/orders.proto": 'syntax = "proto3";\npackage shop.v1;\n',
    "packages/py-sdk/pyproject.toml": '[project]\nname = "shop-sdk"\nversion = "2.0.0"\ndependencies = ["protobuf>=5"]\n',
    "packages/py-sdk/src/shop_sdk/__init__.py": "",
    "services/orders/pyproject.toml": '[project]\nname = "orders"\nversion = "0.1.0"\n',
    "services/orders/app/main.py": "print('orders')\n",
    "services/orders/Dockerfile": "FROM python:3.12-slim\nARG PIP_INDEX_URL\nCOPY app /srv/app\n",
    "services/billing/pyproject.toml": '[project]\nname = "billing"\nversion = "0.1.0"\n',
    "services/billing/app/main.py": "print('billing')\n",
    "services/billing/Dockerfile": "FROM python:3.12-slim\nARG PIP_INDEX_URL\nCOPY app /srv/app\n",
    "services/web/package.json": json.dumps({"name": "web"}),
    "services/web/Dockerfile.dev": "FROM node:22-alpine AS dev\nCOPY . /app\n",
    "deploy/orders.yaml": _deployment("orders", "registry.local:5000/shop/orders", 8000),
    "deploy/billing.yaml": _deployment("billing", "registry.local:5000/shop/billing", 8000),
    "deploy/values/web.dev.yaml": "image: registry.local:5000/shop/web\n",
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.3.0\n",
    "charts/web/values.yaml": "image: web\n",
    "charts/web/templates/deployment.yaml": _CHART_DEPLOYMENT,
}

# Secret values the environment holds, the Tiltfile writes literally, and a Kubernetes Secret
# carries: none may reach services.yaml or import's output.
NPM_TOKEN = "npm_realTokenValue_4f9a2c"
DEPLOY_PASSWORD = "hunter2-deploy-password"
LITERAL_TOKEN = "ghp_literalSecretValue_0123456789"
K8S_SECRET = "k8s-secret-value-9c1e7b"
SECRET_VALUES = (NPM_TOKEN, DEPLOY_PASSWORD, LITERAL_TOKEN, K8S_SECRET)
SECRET_ENV = {"NPM_TOKEN": NPM_TOKEN, "DEPLOY_PASSWORD": DEPLOY_PASSWORD}

SECRETS = {
    "Tiltfile": textwrap.dedent(f"""\
        secret_settings(disable_scrub=False)

        npm_token = os.getenv('NPM_TOKEN', '')

        docker_build('acme/api', 'api', build_args={{
            'NPM_TOKEN': npm_token,
            'GH_TOKEN': '{LITERAL_TOKEN}',
            'MODE': 'dev',
        }})
        k8s_yaml('k8s/api.yaml')
        k8s_resource('api', labels=['apps'])

        local_resource('publish', cmd='npm publish --//npm.acme.test/:_authToken=' + npm_token, labels=['ops'],
                       trigger_mode=TRIGGER_MODE_MANUAL)
        local_resource('deploy', cmd='./deploy.sh', env={{'DEPLOY_PASSWORD': os.getenv('DEPLOY_PASSWORD', 'none')}})
        """),
    "api/package.json": json.dumps({"name": "api"}),
    "api/Dockerfile": "FROM node:22-alpine\nARG NPM_TOKEN\nARG GH_TOKEN\n",
    "k8s/api.yaml": _deployment(
        "api",
        "acme/api",
        8080,
        extra=textwrap.dedent(f"""\
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: api-credentials
        stringData:
          password: {K8S_SECRET}
        """),
    ),
}

MONOREPOS = {"dict_loop": DICT_LOOP, "helpers": HELPERS, "secrets": SECRETS}
