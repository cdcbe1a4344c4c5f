#!/bin/sh
# Tilt entry point of the Go SDK (go.packages.dev.ameide.io/ameide-sdk-go).
# Usage (from the repository root): examples/release/tilt_ameide_sdk_go.sh build|publish|smoke
#   build    regenerate the SDK from the proto sources (fails fast when they are missing)
#   publish  show how the build is published to the registry
#   smoke    show how the registry is checked to serve the built version
set -eu
. "$(dirname -- "$0")/lib.sh"
sdk_main go "$@"
