#!/bin/sh
# Publishes one SDK, or all of them: examples/release/publish.sh ts|go|python|all
# (run from the repository root; Tilt's packages:<sdk>-sdk-publish resources call it).
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: $SCRIPT ts|go|python|all"
if [ "$1" = all ]; then
    for lang in ts go python; do
        sdk_load "$lang"
        sdk_publish
    done
else
    sdk_load "$1"
    sdk_publish
fi
