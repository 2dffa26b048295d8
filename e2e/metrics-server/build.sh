#!/usr/bin/env bash
# Builds metrics-server, the resource metrics API the lab's HPAs read (issue 21), from Go
# modules, once:
#   ${RAMP_CACHE:-~/.cache/ramp}/metrics-server/<version>/metrics-server
# A no-op when it exists. The version comes from go.mod here (sigs.k8s.io/metrics-server,
# a tool of this wrapper module: `go get -tool sigs.k8s.io/metrics-server/cmd/metrics-server@vX`).
#
#   e2e/metrics-server/build.sh          build it if missing, print its path
#   e2e/metrics-server/build.sh tidy     after changing the version: go mod tidy here; no build
set -euo pipefail
# Debian's Go may be older than go.mod wants (or its go.env may say GOTOOLCHAIN=local); the go
# command then fetches the toolchain go.mod names from the module proxy.
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
export GOFLAGS=-buildvcs=false
export CGO_ENABLED=0

here=$(cd "$(dirname "$0")" && pwd)
cache=${RAMP_CACHE:-$HOME/.cache/ramp}
version=$(awk '$1 == "sigs.k8s.io/metrics-server" { print $2; exit }
               $1 == "require" && $2 == "sigs.k8s.io/metrics-server" { print $3; exit }' "$here/go.mod")
[ -n "$version" ] || { echo "build.sh: no sigs.k8s.io/metrics-server in $here/go.mod" >&2; exit 1; }
dir=$cache/metrics-server/$version
mode=${1:-build}

if [ "$mode" = tidy ]; then
  (cd "$here" && go mod tidy)
  echo "go.mod and go.sum tidied in $here"
  exit 0
fi

if [ -x "$dir/metrics-server" ]; then
  echo "metrics-server $version: present in $dir/metrics-server"
  exit 0
fi

echo "building metrics-server $version from Go modules (cold: about 6 min on 2 shared cores, 340 MB of modules)"
mkdir -p "$dir"
# The version flags are those of metrics-server's Makefile; `metrics-server --version` prints it.
pkg=k8s.io/client-go/pkg/version
ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitTreeState=clean"
# -mod=readonly: go.sum here is the whole truth; a build never rewrites it.
(cd "$here" && go build -mod=readonly -trimpath -ldflags="$ldflags" \
    -o "$dir/metrics-server.tmp" sigs.k8s.io/metrics-server/cmd/metrics-server)
mv "$dir/metrics-server.tmp" "$dir/metrics-server"
echo "metrics-server $version: built in $dir/metrics-server"
