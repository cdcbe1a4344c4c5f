#!/bin/sh
# Stands for the SDK's real build (tsc): copies the source into dist/.
set -eu
cd "$(dirname "$0")"
mkdir -p dist
cp src/index.ts dist/index.ts
