#!/usr/bin/env bash
# Builds the lab's demo service as images, no registry and no daemon: one static binary
# (e2e/images/demo, CGO_ENABLED=0) and, per version, an image archive ramp.dev/demo:<version>
# holding just that binary with VERSION=<version> baked in (image-archive.sh).
#   e2e/images/build.sh OUT-DIR VERSION...   -> OUT-DIR/demo-<version>.tar
# Go's build cache makes a second run a matter of seconds; archives already built are kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
shift
mkdir -p "$out"
(cd "$here/demo" && CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -ldflags="-s -w" -o "$out/demo.tmp" .)
if ! cmp -s "$out/demo.tmp" "$out/demo" 2>/dev/null; then
  mv "$out/demo.tmp" "$out/demo"
  rm -f "$out"/demo-*.tar
else
  rm -f "$out/demo.tmp"
fi
for v in "$@"; do
  [ -s "$out/demo-$v.tar" ] || bash "$here/image-archive.sh" "$out/demo-$v.tar" "ramp.dev/demo:$v" "$out/demo" /demo "VERSION=$v"
done
