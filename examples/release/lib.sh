# Shared helpers of the SDK release scripts. Sourced, not run; POSIX sh.
# Every path is derived from this folder, so the scripts work from any directory
# (Tilt runs them from the repository root, where services.yaml lives).

RELEASE_DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
EXAMPLES_DIR=$(dirname -- "$RELEASE_DIR")
SCRIPT=$(basename -- "$0")

log() { printf '%s: %s\n' "$SCRIPT" "$*"; }
die() { printf '%s: error: %s\n' "$SCRIPT" "$*" >&2; exit 1; }

# The first value of a `"key": "value"` (JSON) or `key = "value"` (TOML) line.
field() { # field FILE KEY
    sed -n "s/^[[:space:]]*\"\{0,1\}$2\"\{0,1\}[[:space:]]*[:=][[:space:]]*\"\([^\"]*\)\".*/\1/p" "$1" | head -n 1
}

# sdk_load LANG: sets SDK_DIR, SDK_PACKAGE, SDK_VERSION, SDK_REGISTRY and SDK_STAMP.
sdk_load() {
    case $1 in
        ts | go | python) ;;
        *) die "unknown SDK '$1' (expected ts, go or python)" ;;
    esac
    SDK_LANG=$1
    SDK_DIR="$EXAMPLES_DIR/packages/ameide_sdk_$1"
    [ -d "$SDK_DIR" ] || die "SDK folder not found: $SDK_DIR"
    case $1 in
        ts)
            [ -f "$SDK_DIR/package.json" ] || die "$SDK_DIR/package.json is missing"
            SDK_PACKAGE=$(field "$SDK_DIR/package.json" name)
            SDK_VERSION=$(field "$SDK_DIR/package.json" version)
            SDK_REGISTRY=${NPM_PUBLISH_REGISTRY:-http://npm.packages.dev.ameide.io}
            ;;
        go)
            [ -f "$SDK_DIR/go.mod" ] || die "$SDK_DIR/go.mod is missing"
            SDK_PACKAGE=$(sed -n 's/^module[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$SDK_DIR/go.mod")
            SDK_VERSION=$(sed -n 's/^const Version = "\([^"]*\)"$/\1/p' "$SDK_DIR/ameide/version.go" 2>/dev/null)
            SDK_REGISTRY=${GOPROXY_PUBLISH_URL:-https://go.packages.dev.ameide.io}
            ;;
        python)
            [ -f "$SDK_DIR/pyproject.toml" ] || die "$SDK_DIR/pyproject.toml is missing"
            SDK_PACKAGE=$(field "$SDK_DIR/pyproject.toml" name)
            SDK_VERSION=$(field "$SDK_DIR/pyproject.toml" version)
            SDK_REGISTRY=${PYPI_PUBLISH_URL:-https://pypi.packages.dev.ameide.io}
            ;;
    esac
    [ -n "$SDK_PACKAGE" ] || die "cannot read the package name of $SDK_DIR"
    [ -n "$SDK_VERSION" ] || die "cannot read the version of $SDK_DIR"
    SDK_STAMP="$SDK_DIR/generated/STAMP"
}

# The version the SDK's own source declares must be the released one.
sdk_source_version() {
    case $SDK_LANG in
        ts) sed -n 's/^export const SDK_VERSION = "\([^"]*\)";$/\1/p' "$SDK_DIR/src/index.ts" ;;
        go) printf '%s\n' "$SDK_VERSION" ;;
        python) sed -n 's/^__version__ = "\([^"]*\)"$/\1/p' "$SDK_DIR/src/ameide_sdk/__init__.py" ;;
    esac
}

sdk_build() {
    rm -f "$SDK_STAMP" # a failed build must not leave the previous one looking current
    declared=$(sdk_source_version)
    [ "$declared" = "$SDK_VERSION" ] || die "source declares version '$declared' but the package manifest says '$SDK_VERSION'"
    sync="$SDK_DIR/scripts/sync-proto.sh"
    [ -f "$sync" ] || die "$sync is missing"
    sh "$sync" || die "proto sync failed for $SDK_PACKAGE; nothing was built"
    {
        printf 'package=%s\n' "$SDK_PACKAGE"
        printf 'version=%s\n' "$SDK_VERSION"
        printf 'proto_sha=%s\n' "$(cat "$SDK_DIR/generated/PROTO_SHA")"
    } > "$SDK_STAMP"
    [ "$SDK_LANG" != ts ] || ts_compile || { rm -f "$SDK_STAMP"; die "tsc failed for $SDK_PACKAGE; nothing was built"; }
    log "built $SDK_PACKAGE@$SDK_VERSION (stamp: ${SDK_STAMP#"$PWD"/})"
}

# Publish and smoke need a build of the current version.
sdk_require_build() {
    [ -f "$SDK_STAMP" ] || die "no build of $SDK_PACKAGE: run examples/release/tilt_ameide_sdk_$SDK_LANG.sh build first"
    built=$(sed -n 's/^version=//p' "$SDK_STAMP")
    [ "$built" = "$SDK_VERSION" ] || die "the build is of $built but $SDK_PACKAGE is at $SDK_VERSION: rebuild it"
    ls "$SDK_DIR/generated/proto" >/dev/null 2>&1 || die "$SDK_DIR/generated/proto is missing: rebuild $SDK_PACKAGE"
    [ "$SDK_LANG" != ts ] || [ -f "$SDK_DIR/dist/index.js" ] || die "$SDK_DIR/dist/index.js is missing: rebuild $SDK_PACKAGE"
}

# The ts SDK ships JavaScript (dist/, what package.json's main names): Node strips no types
# inside node_modules. TSC names a tsc to use; else the package's own devDependency, installed.
ts_compile() {
    tsc=${TSC:-}
    if [ -z "$tsc" ]; then
        (cd "$SDK_DIR" && npm install --no-package-lock --no-audit --no-fund --loglevel=error) || return 1
        tsc="$SDK_DIR/node_modules/.bin/tsc"
    fi
    rm -rf "$SDK_DIR/dist"
    "$tsc" -p "$SDK_DIR/tsconfig.json"
}

# npm publish of the package (dist/ and generated/, its `files`) to SDK_REGISTRY, from a copy:
# the registry in publishConfig would win over --registry, and the copy names the one given.
ts_publish() {
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    mkdir "$stage/sdk"
    cp -R "$SDK_DIR/dist" "$SDK_DIR/generated" "$stage/sdk/"
    sed "s|\"registry\": *\"[^\"]*\"|\"registry\": \"$SDK_REGISTRY/\"|" "$SDK_DIR/package.json" > "$stage/sdk/package.json"
    (cd "$stage/sdk" && npm publish --registry "$SDK_REGISTRY/" --loglevel=error >/dev/null) ||
        die "npm publish of $SDK_PACKAGE@$SDK_VERSION to $SDK_REGISTRY failed"
    log "published $SDK_PACKAGE@$SDK_VERSION to $SDK_REGISTRY"
}

sdk_publish() {
    sdk_require_build
    case $SDK_LANG in
        ts) ts_publish ;;
        go) go_publish ;;
        python) python_publish ;;
    esac
}

# A Go module proxy serves <module>/@v/{list,<version>.info,.mod,.zip}: publishing a version is
# writing those files into the folder it serves (GOPROXY_PUBLISH_DIR), the module zip in the
# layout `go mod download` verifies (every file under <module>@<version>/).
go_publish() {
    dir=${GOPROXY_PUBLISH_DIR:-}
    [ -n "$dir" ] || die "set GOPROXY_PUBLISH_DIR to the folder the Go proxy at $SDK_REGISTRY serves"
    command -v python3 >/dev/null || die "python3 is needed to write the module zip"
    at="$dir/$SDK_PACKAGE/@v"
    mkdir -p "$at"
    ! grep -qx "$SDK_VERSION" "$at/list" 2>/dev/null || die "$SDK_PACKAGE@$SDK_VERSION is already published: bump the version"
    (cd "$SDK_DIR" && find . -type f \( -name '*.go' -o -name go.mod -o -path './generated/*' \)) |
        python3 -c '
import sys, zipfile
sdk_dir, prefix, target = sys.argv[1:]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
    for line in sorted(sys.stdin.read().split()):
        archive.write(f"{sdk_dir}/{line[2:]}", f"{prefix}/{line[2:]}")
' "$SDK_DIR" "$SDK_PACKAGE@$SDK_VERSION" "$at/$SDK_VERSION.zip" || die "writing the module zip failed"
    cp "$SDK_DIR/go.mod" "$at/$SDK_VERSION.mod"
    printf '{"Version":"%s","Time":"%s"}\n' "$SDK_VERSION" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$at/$SDK_VERSION.info"
    printf '%s\n' "$SDK_VERSION" >> "$at/list"
    log "published $SDK_PACKAGE@$SDK_VERSION into $dir (served at $SDK_REGISTRY)"
}

# A wheel built from the SDK's pyproject.toml, uploaded through the upload API twine uses. The
# build runs on a copy: setuptools writes egg-info and build/ next to the sources, which Tilt
# watches (a build in place would start the chain again).
python_publish() {
    python=${PYTHON:-python3}
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    cp -R "$SDK_DIR" "$stage/sdk"
    "$python" -m pip wheel -q --no-deps --no-build-isolation -w "$stage/dist" "$stage/sdk" || die "building the $SDK_PACKAGE wheel failed"
    wheel=$(ls "$stage/dist"/*-"$SDK_VERSION"-*.whl 2>/dev/null | head -n 1)
    [ -n "$wheel" ] || die "no wheel of $SDK_PACKAGE $SDK_VERSION in $stage/dist"
    curl -sSf -F :action=file_upload -F "name=$SDK_PACKAGE" -F "version=$SDK_VERSION" -F "content=@$wheel" "$SDK_REGISTRY/" >/dev/null ||
        die "uploading $(basename -- "$wheel") to $SDK_REGISTRY failed"
    log "published $SDK_PACKAGE@$SDK_VERSION to $SDK_REGISTRY"
}

# Smoke: the registry serves the version just published.
sdk_smoke() {
    sdk_require_build
    case $SDK_LANG in
        ts)
            served=$(npm view "$SDK_PACKAGE@$SDK_VERSION" version --prefer-online --registry "$SDK_REGISTRY/" 2>/dev/null)
            [ "$served" = "$SDK_VERSION" ] || die "$SDK_REGISTRY does not serve $SDK_PACKAGE@$SDK_VERSION"
            ;;
        go)
            curl -sSf "$SDK_REGISTRY/$SDK_PACKAGE/@v/$SDK_VERSION.info" | grep -q "\"Version\":\"$SDK_VERSION\"" ||
                die "$SDK_REGISTRY does not serve $SDK_PACKAGE@$SDK_VERSION"
            ;;
        python)
            # A wheel's file name spells the project name with underscores (ameide-sdk: ameide_sdk-1.4.0-…).
            wheel_name=$(printf '%s' "$SDK_PACKAGE" | tr -- '-.' '__')
            curl -sSf "$SDK_REGISTRY/simple/$SDK_PACKAGE/" | grep -q "$wheel_name-$SDK_VERSION-" ||
                die "$SDK_REGISTRY/simple/$SDK_PACKAGE/ does not list $SDK_VERSION"
            ;;
    esac
    log "smoke ok: $SDK_PACKAGE@$SDK_VERSION built from proto cksum $(sed -n 's/^proto_sha=//p' "$SDK_STAMP")"
}

# sdk_main LANG ARGS...: the dispatcher of tilt_ameide_sdk_<lang>.sh.
sdk_main() {
    lang=$1
    shift
    [ $# -eq 1 ] || die "usage: $SCRIPT build|publish|smoke"
    sdk_load "$lang"
    case $1 in
        build) sdk_build ;;
        publish) sdk_publish ;;
        smoke) sdk_smoke ;;
        *) die "unknown step '$1' (usage: $SCRIPT build|publish|smoke)" ;;
    esac
}
