#!/usr/bin/env bash
# Builds the Kubernetes control plane Ramp's tests run against, once, into the layout
# fabric8 kube-api-test reads in offline mode:
#   ~/.kubeapitest/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl,kube-controller-manager,kube-scheduler,kwok}
# and beside them what the lab's real node runs (docs/lab.md, cluster mode): kubelet,
# kube-proxy, and images/pause.tar, the Pod sandbox image (Kubernetes' own pause.c, static).
# A no-op when the binaries exist. When KUBEBUILDER_ASSETS names a directory holding
# etcd, kube-apiserver and kubectl, those are linked in instead of building.
set -euo pipefail
# Debian's Go may be older than the go.mod files here want (or its go.env may say
# GOTOOLCHAIN=local); the go command then fetches the toolchain they name from the module proxy.
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

here=$(cd "$(dirname "$0")" && pwd)
version=$(awk '/^require k8s.io\/kubernetes /{sub(/^v/,"",$3); print $3}' "$here/kube/go.mod")
dir="${KUBEAPITEST_DIR:-$HOME/.kubeapitest}/k8s/${version}-linux-amd64"
binaries=(etcd kube-apiserver kubectl kube-controller-manager kube-scheduler kwok kubelet kube-proxy images/pause.tar)

missing=()
for b in "${binaries[@]}"; do [ -x "$dir/$b" ] || [ -s "$dir/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "control plane $version: present in $dir"
  exit 0
fi
mkdir -p "$dir"

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ]; then
  for b in etcd kube-apiserver kubectl; do
    [ -x "$dir/$b" ] || ln -sf "$KUBEBUILDER_ASSETS/$b" "$dir/$b"
  done
fi

# kubectl and the servers report this version (go build alone would say v0.0.0).
kver="-X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=${version%%.*}"
kver="$kver -X k8s.io/component-base/version.gitMinor=$(echo "$version" | cut -d. -f2)"
kver="$kver -X k8s.io/client-go/pkg/version.gitVersion=v$version"

build() { # module-dir package output
  [ -x "$dir/$3" ] && return 0
  echo "building $3 from $2"
  local ldflags="-s -w"
  [ "$1" = kube ] && ldflags="$ldflags $kver"
  (cd "$here/$1" && CGO_ENABLED=0 go build -trimpath -ldflags="$ldflags" -o "$dir/$3.tmp" "$2")
  mv "$dir/$3.tmp" "$dir/$3"
}

build etcd go.etcd.io/etcd/server/v3 etcd
build kube k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver
build kube k8s.io/kubernetes/cmd/kubectl kubectl
build kube k8s.io/kubernetes/cmd/kube-controller-manager kube-controller-manager
build kube k8s.io/kubernetes/cmd/kube-scheduler kube-scheduler
build kwok sigs.k8s.io/kwok/cmd/kwok kwok
# Static like the rest: nothing the kubelet does here needs cgo (cadvisor's cgo parts are
# behind build tags).
build kube k8s.io/kubernetes/cmd/kubelet kubelet
build kube k8s.io/kubernetes/cmd/kube-proxy kube-proxy
if [ ! -f "$dir/images/pause.tar" ]; then
  echo "building the pause image from k8s.io/kubernetes/build/pause/linux/pause.c"
  src=$(cd "$here/kube" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c
  tmp=$(mktemp -d)
  gcc -Os -static -DVERSION="v$version-ramp" -o "$tmp/pause" "$src"
  strip "$tmp/pause"
  mkdir -p "$dir/images"
  bash "$here/../images/image-archive.sh" "$dir/images/pause.tar.tmp" registry.k8s.io/pause:ramp "$tmp/pause" /pause
  mv "$dir/images/pause.tar.tmp" "$dir/images/pause.tar"
  rm -rf "$tmp"
fi
echo "control plane $version: built in $dir"
