"""The SDK rules' descriptors, import-free so the lint rule registry can list them cheaply.

Each: (id, title, summary, help, group), the fields of :class:`devenv.lint.rules.Rule`.
"""

SDK_VERSION = "sdk-version"
SDK_UNDECLARED = "sdk-undeclared"
SDK_UNUSED = "sdk-unused"
SDK_BUF_COMMIT = "sdk-buf-commit"
SDK_REGISTRY_CONFIG = "sdk-registry-config"
SDK_WORKSPACE_LINK = "sdk-workspace-link"
SDK_DIGEST_ARG = "sdk-digest-arg"
KINDS = (
    SDK_VERSION,
    SDK_UNDECLARED,
    SDK_UNUSED,
    SDK_BUF_COMMIT,
    SDK_REGISTRY_CONFIG,
    SDK_WORKSPACE_LINK,
    SDK_DIGEST_ARG,
)  # also the kinds `devenv: allow <kind>` accepts

RULES = (
    (
        SDK_VERSION,
        "SDK dependency does not pin the manifest's version",
        "A service's dependency file (or lockfile) names an SDK package at a version spec that does not admit exactly the version services.yaml publishes.",
        "Every service consumes the published SDK at exactly the manifest's `version` (sdks.<name>.version): "
        "a spec that excludes it is an error, a range that admits it and others is a warning (an error when "
        "the SDK sets `exact_pins: true`), a lockfile that resolves another version, a workspace:/file: "
        "dependency or a local replace is an error. `devenv lint --fix` rewrites the version text in place.",
        "sdk",
    ),
    (
        SDK_UNDECLARED,
        "Service depends on an SDK it does not consume",
        "A service's dependency files depend on an SDK package its services.yaml entry does not consume.",
        "The manifest derives each service's Tilt resource_deps from the SDKs it consumes: a service that "
        "depends on an SDK its entry does not name is built without waiting for that SDK. Add the SDK to "
        "the service's `sdks:` list.",
        "sdk",
    ),
    (
        SDK_UNUSED,
        "Service consumes an SDK none of its files depend on",
        "A service's services.yaml entry consumes an SDK that none of its dependency files depend on.",
        "The service waits for an SDK it does not use (or installs it in a way lint cannot see). Remove "
        "the SDK from the service's `sdks:`, or declare the dependency in its package.json, go.mod, "
        "pyproject.toml or requirements file (a `source: workspace` SDK as a link to its folder, not a "
        "published pin).",
        "sdk",
    ),
    (
        SDK_BUF_COMMIT,
        "Buf SDKs of one module name different module commits",
        "Two `source: buf` SDKs generated from the same BSR module name different module commits (or timestamps) in their versions.",
        "The TypeScript, Go and Python SDKs of one module must come from the same module commit, or services "
        "talk different schemas. The odd one out is reported at its `version` line in services.yaml, with the "
        "commit the others share; `buf registry sdk version --module=<module>:<commit> --plugin=<plugin>` prints "
        "its version at that commit.",
        "sdk",
    ),
    (
        SDK_REGISTRY_CONFIG,
        "Service cannot fetch its Buf SDK",
        "A service depends on a Buf generated SDK, but no configuration it reads points its package manager at the BSR endpoint.",
        "npm and pnpm read `.npmrc` from the package's folder up to the repository root: one of them must map "
        "`@buf:registry` to the BSR npm endpoint, or `@buf/...` installs from the public registry and gets a 404. "
        "pip and uv need an index that serves the wheel: `--extra-index-url` in the requirements file (or one it "
        "includes), `[[tool.uv.index]]` or a Poetry source in pyproject.toml, a pip.conf/uv.toml in the service "
        "folder, or PIP_*INDEX_URL/UV_*INDEX_URL set in the service's Dockerfile.",
        "sdk",
    ),
    (
        SDK_WORKSPACE_LINK,
        "Service does not link its workspace SDK",
        "A service depends on a `source: workspace` SDK through a published version, or links another folder.",
        "A workspace SDK is linked from its folder: npm `workspace:` (or `file:`/`link:` to the SDK's path), Go a "
        "`replace` to the SDK's path or a go.work that uses both, Python a uv source (`workspace = true` or "
        "`path`), a Poetry path dependency or `-e <path>` in requirements. `devenv lint --fix` writes the "
        "workspace form where it is unambiguous: npm specs, a go.mod `replace` (no go.work above), a plain "
        "requirements line as `-e <path>`, a uv source, a Poetry path dependency.",
        "sdk",
    ),
    (
        SDK_DIGEST_ARG,
        "Dockerfile ignores the SDK's result digest",
        "A service consumes an SDK with `steps`, but the Dockerfile its docker_build uses does not declare "
        "`ARG <SDK>_SDK_DIGEST` before the layer that installs the SDK.",
        "The rendered Tiltfile passes each consumer of an SDK with `steps` the chain's result digest as the build "
        "arg `<SDK>_SDK_DIGEST` (docs/tiltfile-sdk-rebuilds.md). Docker ignores a build arg the Dockerfile does not "
        "declare, and an `ARG` changes the cache key only of the `RUN`s after it in its stage: without "
        "`ARG <SDK>_SDK_DIGEST` before the install, an SDK rebuild leaves the install layer cached and the old pod "
        "running. The install is the first `RUN` that names the SDK's package or expands its version arg (an error "
        "there); without one, the first instruction that expands the version arg (a warning). `devenv lint --fix` "
        "inserts the line right after the stage's `ARG <SDK>_SDK_VERSION`.",
        "sdk",
    ),
)
