#!/usr/bin/env bash
# What a fresh Debian machine lacks to build Ramp, run its tests and run the demo on the lab's
# real cluster: installs the missing Debian packages (apt-get, as root) and, unless the machine
# has its own, writes podman's /etc/containers/containers.conf for the kernels seen here.
# `./test.sh`, `./demo.sh` and `e2e/run-local.sh` run it; a second run finds everything and does nothing.
#   build/prerequisites.sh           install what is missing
#   build/prerequisites.sh --check   only list what is missing (exit 1 if anything is)
#   build/prerequisites.sh --try     what ./demo.sh and e2e/run-local.sh run: as root on Debian,
#                                    install (a failure is reported, not fatal); otherwise say
#                                    what is missing; exit 0 either way, for the caller goes on
#                                    with what is here
set -euo pipefail

if [ "${1:-}" = --try ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    bash "$0" || echo "prerequisites: installing failed; going on with what is here" >&2
  elif ! missing=$(bash "$0" --check); then
    echo "prerequisites: missing Debian packages: $missing (as root, build/prerequisites.sh installs them)" >&2
  fi
  exit 0
fi

need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v git >/dev/null 2>&1 || need+=(git)
command -v curl >/dev/null 2>&1 || need+=(curl)
# TLS roots for the Maven mirror and the Go module proxy (curl alone does not pull them in
# with --no-install-recommends).
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
command -v unzip >/dev/null 2>&1 || need+=(unzip)  # ./mvnw unpacks the Maven zip with it
# Go: the control plane's go.mod names the version it needs, and Go from 1.21 on fetches that
# toolchain itself (GOTOOLCHAIN=auto). An older Go cannot (Debian bookworm's is 1.19), so
# without a Go of at least 1.21 one is installed from the Go module proxy (below).
here=$(cd "$(dirname "$0")" && pwd)
go_minor=$( (go version 2>/dev/null || true) | sed -n 's/.*go1\.\([0-9]*\).*/\1/p')
need_go=
[ "${go_minor:-0}" -ge 21 ] || need_go=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$here/../e2e/controlplane/kube/go.mod")
# Prometheus for the analysis tests and the lab, started by them on loopback.
command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || need+=(prometheus)
# The operator's image: its base is made from Debian's packages (mmdebstrap), Jib builds it into
# podman's storage, and the image tests run it through podman's Docker API (runc: crun fails on
# this kernel's hybrid cgroups).
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
# The lab's cluster mode (docs/lab.md): a real node in a network namespace of its own. gcc and
# libc6-dev build the pause image (static); the rest runs the Pods.
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)

if [ "${1:-}" = --check ]; then
  [ ${#need[@]} -eq 0 ] && [ -z "$need_go" ] && exit 0
  echo "${need[*]}${need_go:+ go$need_go}"
  exit 1
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "prerequisites: missing Debian packages ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "prerequisites: installing ${need[*]}" >&2
  # Slim Debian images leave out the manual pages, but the JDK's postinst links its own into
  # /usr/share/man/man1 and fails without that directory.
  mkdir -p /usr/share/man/man1
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${need[@]}"
fi

# Go from the module proxy, as the go command itself takes a toolchain: the zip
# golang.org/toolchain@v0.0.1-go<version>.linux-<arch>, checked against the checksum database
# (its h1: hash, the SHA-256 of the sorted list of its files' SHA-256s, which the proxy
# serves from sum.golang.org), into /usr/local/go.
if [ -n "$need_go" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "prerequisites: Go $need_go or at least 1.21 needed (found: $(go version 2>/dev/null || echo none))" >&2
    exit 1
  fi
  if [ -e /usr/local/go ]; then
    echo "prerequisites: /usr/local/go exists but holds no Go >= 1.21 on PATH; put it on PATH or remove it" >&2
    exit 1
  fi
  arch=$(dpkg --print-architecture)
  module="golang.org/toolchain@v0.0.1-go$need_go.linux-$arch"
  proxy=${GOPROXY:-https://proxy.golang.org}
  proxy=${proxy%%,*}
  tmp=$(mktemp -d)
  echo "prerequisites: installing Go $need_go from $proxy into /usr/local/go" >&2
  curl -fsSL -o "$tmp/go.zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$need_go.linux-$arch.zip"
  # The checksum database through the proxy, as the go command asks it.
  want=$(curl -fsSL "$proxy/sumdb/sum.golang.org/lookup/$module" \
    | sed -n "s|^golang.org/toolchain v0.0.1-go$need_go.linux-$arch h1:\(.*\)$|\1|p")
  (cd "$tmp" && unzip -q go.zip)
  got=$(cd "$tmp" && find "$module" -type f | LC_ALL=C sort | while read -r f; do
      printf '%s  %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$f"; done | openssl dgst -sha256 -binary | base64)
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    echo "prerequisites: $module does not match the checksum database (h1:$want, got h1:$got)" >&2
    rm -rf "$tmp"
    exit 1
  fi
  mv "$tmp/$module" /usr/local/go
  rm -rf "$tmp"
  ln -sf /usr/local/go/bin/go /usr/local/bin/go
  go version
fi

# podman as these machines need it, unless the machine has its own configuration.
if [ "$(id -u)" = 0 ] && [ ! -f /etc/containers/containers.conf ]; then
  mkdir -p /etc/containers
  cat > /etc/containers/containers.conf <<'CONF'
# Written by Ramp's build/prerequisites.sh.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
CONF
fi
