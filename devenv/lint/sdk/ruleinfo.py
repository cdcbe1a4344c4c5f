"""The SDK rules' descriptors, import-free so the lint rule registry can list them cheaply.

Each: (id, title, summary, help, group), the fields of :class:`devenv.lint.rules.Rule`.
"""

SDK_VERSION = "sdk-version"
SDK_UNDECLARED = "sdk-undeclared"
SDK_UNUSED = "sdk-unused"
KINDS = (SDK_VERSION, SDK_UNDECLARED, SDK_UNUSED)  # also the kinds `devenv: allow <kind>` accepts

RULES = (
    (
        SDK_VERSION, "SDK dependency does not pin the manifest's version",
        "A service's dependency file (or lockfile) names an SDK package at a version spec that does not "
        "admit exactly the version services.yaml publishes.",
        "Every service consumes the published SDK at exactly the manifest's `version` (sdks.<name>.version): "
        "a spec that excludes it is an error, a range that admits it and others is a warning (an error when "
        "the SDK sets `exact_pins: true`), a lockfile that resolves another version, a workspace:/file: "
        "dependency or a local replace is an error. `devenv lint --fix` rewrites the version text in place.",
        "sdk",
    ),
    (
        SDK_UNDECLARED, "Service depends on an SDK it does not consume",
        "A service's dependency files depend on an SDK package its services.yaml entry does not consume.",
        "The manifest derives each service's Tilt resource_deps from the SDKs it consumes: a service that "
        "depends on an SDK its entry does not name is built without waiting for that SDK. Add the SDK to "
        "the service's `sdks:` list.",
        "sdk",
    ),
    (
        SDK_UNUSED, "Service consumes an SDK none of its files depend on",
        "A service's services.yaml entry consumes an SDK that none of its dependency files depend on.",
        "The service waits for an SDK it does not use (or installs it in a way lint cannot see). Remove "
        "the SDK from the service's `sdks:`, or declare the dependency in its package.json, go.mod, "
        "pyproject.toml or requirements file.",
        "sdk",
    ),
)
