#!/usr/bin/env bash
# Runs a command in a network and mount namespace of its own, for the lab's cluster mode
# (docs/lab.md): inside, only `lo` is up; everything the lab starts there (control plane,
# containerd, kubelet, kube-proxy, the Pods' bridge) sees no interface of the machine, and the
# mounts it makes (container root filesystems, volumes) are invisible outside and vanish with
# the namespace. The namespaces live as long as a process in them does.
#   e2e/lab/netns.sh COMMAND [ARG...]
# Sets RAMP_LAB_NETNS inside to the namespaces it left, so the lab can tell it is elsewhere.
# Without root (or without unshare), says why and runs COMMAND as it is, without
# RAMP_LAB_NETNS: the lab then runs on kwok (Lab.Mode.preferred), the cluster mode refuses to
# start, and the tests that need it skip.
set -euo pipefail
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
  echo "netns.sh: not root, or unshare/ip missing: running without a namespace of its own" >&2
  exec "$@"
fi
outer="$(readlink /proc/self/ns/net) $(readlink /proc/self/ns/mnt)"
exec unshare --net --mount --propagation private -- bash -c \
  'ip link set lo up && export RAMP_LAB_NETNS="$0" && exec "$@"' "$outer" "$@"
