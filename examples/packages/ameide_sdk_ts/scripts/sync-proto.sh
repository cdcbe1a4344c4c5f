#!/bin/sh
# Copies the proto sources this SDK is generated from into generated/proto, then records
# their checksum in generated/PROTO_SHA. The proto workspace packages/ameide_core_proto
# is the only input: when it is missing the build fails here, there is no fallback.
# Works from any directory (Tilt runs it from the repository root).
set -eu

sdk_dir=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
proto_ws="$(dirname -- "$sdk_dir")/ameide_core_proto"
out="$sdk_dir/generated"

if [ ! -f "$proto_ws/buf.yaml" ]; then
    echo "sync-proto: proto workspace not found: ${proto_ws#"$PWD"/}/buf.yaml is missing" >&2
    echo "sync-proto: $(basename -- "$sdk_dir") is generated only from it (no fallback): restore it, e.g. git checkout -- ${proto_ws#"$PWD"/}" >&2
    exit 1
fi

list=$(cd "$proto_ws" && find proto -type f -name '*.proto' | LC_ALL=C sort)
if [ -z "$list" ]; then
    echo "sync-proto: $proto_ws/proto holds no .proto files" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out"
printf '%s\n' "$list" | while IFS= read -r file; do
    mkdir -p "$out/$(dirname -- "$file")"
    cp "$proto_ws/$file" "$out/$file"
done

sha=$(cd "$proto_ws" && printf '%s\n' "$list" | while IFS= read -r file; do cat "$file"; done | cksum | cut -d' ' -f1)
printf '%s\n' "$sha" > "$out/PROTO_SHA"
echo "sync-proto: copied $(printf '%s\n' "$list" | wc -l | tr -d ' ') proto file(s) into ${out#"$PWD"/} (cksum $sha)"
