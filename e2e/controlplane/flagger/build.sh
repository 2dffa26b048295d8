#!/usr/bin/env bash
# Builds Flagger (the version go.mod requires) for the lab's side-by-side benchmark
# (e2e/lab.sh versus-flagger, docs/lab.md), once, into
#   ${KUBEAPITEST_DIR:-~/.kubeapitest}/flagger/<version>/flagger
# beside the control plane e2e/controlplane/build.sh builds; a no-op when the binary exists.
# Prints, for the caller to eval, where the binary is and where Flagger's CRDs are: in the
# module's own artifacts in the Go module cache (downloaded from the module proxy if absent).
set -euo pipefail
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto} GOFLAGS=${GOFLAGS:--buildvcs=false}
here=$(cd "$(dirname "$0")" && pwd)
version=$(awk '$1 == "github.com/fluxcd/flagger" {print $2}' "$here/go.mod")
dir="${KUBEAPITEST_DIR:-$HOME/.kubeapitest}/flagger/$version"
if [ ! -x "$dir/flagger" ]; then
  echo "building Flagger $version from github.com/fluxcd/flagger/cmd/flagger" >&2
  mkdir -p "$dir"
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$dir/flagger.tmp" github.com/fluxcd/flagger/cmd/flagger) >&2
  mv "$dir/flagger.tmp" "$dir/flagger"
fi
module=$(cd "$here" && go mod download -json "github.com/fluxcd/flagger@$version" | awk -F'"' '$2 == "Dir" {print $4}')
crds="$module/artifacts/flagger/crd.yaml"
[ -f "$crds" ] || { echo "Flagger's CRDs not found at $crds" >&2; exit 1; }
echo "RAMP_FLAGGER_VERSION=$version"
echo "RAMP_FLAGGER_BIN=$dir/flagger"
echo "RAMP_FLAGGER_CRDS=$crds"
