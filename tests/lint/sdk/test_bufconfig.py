"""Every place sdk-registry-config accepts the BSR index, and what it says when none does."""

from __future__ import annotations

import pytest

from devenv.deps.readers import read_file
from devenv.lint.sdk.bufconfig import RegistryConfig, same_url

PY_URL = "https://buf.build/gen/python"
NPM_URL = "https://buf.build/gen/npm/v1"
REQ = "svc/jobs/requirements.txt"
PIN = "acme-apis-protocolbuffers-python==25.1.0.1.20240105174326+7d1ab5b6f0d1\n"


def _check(files: dict[str, str], dep_file: str, url: str, dockerfile: str | None = "svc/jobs/Dockerfile"):
    deps = read_file(dep_file, files[dep_file], files.get)
    dep = next(d for d in deps if "acme" in (d.name or ""))
    return RegistryConfig(files.get).check(dep, url, "svc/jobs", dockerfile)


@pytest.mark.parametrize(
    "extra",
    [
        {REQ: f"--index-url={PY_URL}/\n" + PIN},
        {"svc/jobs/pip.conf": f"[global]\nextra-index-url =\n    https://pypi.org/simple\n    {PY_URL}\n"},
        {"svc/jobs/uv.toml": f'[[index]]\nname = "buf"\nurl = "{PY_URL}"\n'},
        {"svc/jobs/Dockerfile": 'FROM python\nENV UV_EXTRA_INDEX_URL="https://${BUF_USER}:${BUF_TOKEN}@buf.build/gen/python"\n'},
        {"svc/jobs/pyproject.toml": f'[[tool.poetry.source]]\nname = "buf"\nurl = "{PY_URL}"\npriority = "supplemental"\n'},
    ],
)
def test_python_index_found(extra):
    files = {REQ: PIN, **extra}
    assert _check(files, REQ, PY_URL) is None


def test_python_index_in_the_including_file():
    files = {"svc/jobs/requirements.txt": f"-i {PY_URL}\n-r base.txt\n", "svc/jobs/base.txt": PIN}
    assert _check(files, "svc/jobs/requirements.txt", PY_URL) is None


def test_python_without_index():
    finding = _check({REQ: "--extra-index-url https://pypi.example.io/simple\n" + PIN}, REQ, PY_URL)
    assert finding.rule == "sdk-registry-config" and finding.location.line == 2
    assert finding.fix == f"add `--extra-index-url {PY_URL}` as the first line of {REQ}"


def test_npm_scope_mapped_elsewhere_names_the_file():
    files = {
        "svc/web/package.json": '{"dependencies": {"@buf/acme_apis.bufbuild_es": "1.0.0-20240105174326-7d1ab5b6f0d1.1"}}',
        ".npmrc": "@buf:registry=https://registry.npmjs.org/\n",
    }
    deps = read_file("svc/web/package.json", files["svc/web/package.json"])
    finding = RegistryConfig(files.get).check(deps[0], NPM_URL, "svc/web", None)
    assert "but .npmrc maps @buf:registry to https://registry.npmjs.org/" in finding.message
    assert finding.fix == f"in .npmrc, write `@buf:registry={NPM_URL}`"


def test_urls_compare_without_credentials_and_trailing_slash():
    assert same_url("https://u:p@Buf.Build/gen/python/", PY_URL)
    assert not same_url("https://buf.build/gen/python/simple", PY_URL)
