#!/usr/bin/env bash
# KEDA's ScaledObject CRD, which the operator's tests install on the real API server (issue 21:
# spec.autoscalerRef to a ScaledObject; KEDA itself does not run). One `go mod download` of
# github.com/kedacore/keda/v2 (no build), its config/crd/bases/keda.sh_scaledobjects.yaml copied to
#   ${RAMP_CACHE:-~/.cache/ramp}/keda/<version>/keda.sh_scaledobjects.yaml
# A no-op when present. ./test.sh runs it before Maven. The version is KEDA_VERSION below, and
# TestCluster.KEDA_VERSION in the tests: change both together.
set -euo pipefail
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

version=v2.21.0
cache=${RAMP_CACHE:-$HOME/.cache/ramp}
dir=$cache/keda/$version
out=$dir/keda.sh_scaledobjects.yaml

if [ -s "$out" ]; then
  echo "keda $version ScaledObject CRD: present in $out"
  exit 0
fi

empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
# From an empty directory, so that no go.mod (and none of its replacements) is in effect.
mod=$(cd "$empty" && go mod download -json "github.com/kedacore/keda/v2@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -n "$mod" ] || { echo "crds.sh: github.com/kedacore/keda/v2@$version not downloaded" >&2; exit 1; }
mkdir -p "$dir"
{
  printf -- '# github.com/kedacore/keda/v2@%s config/crd/bases/keda.sh_scaledobjects.yaml\n' "$version"
  cat "$mod/config/crd/bases/keda.sh_scaledobjects.yaml"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "keda $version ScaledObject CRD: $out"
