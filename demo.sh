#!/usr/bin/env bash
# The Ramp demo (docs/lab.md): builds what it needs, starts the lab, releases a good version and a
# bad one through Git, and shows the promotion, the rollback and Ramp's revert commit.
# Where the machine can run it (root, with containerd, runc, the CNI plugins, iproute2, iptables
# and podman, which .ci/run installs), the demo runs on the lab's real single-node cluster with Ramp
# installed by Helm from its image; elsewhere on the kwok lab with Ramp as a process. RAMP_LAB_MODE
# (kwok or cluster) chooses. Ctrl-C leaves nothing running.
here=$(dirname "$0")
mode=${RAMP_LAB_MODE:-}
if [ -z "$mode" ]; then
  mode=cluster
  why=()
  [ "$(id -u)" = 0 ] || why+=("not root")
  for tool in containerd runc podman ip iptables unshare; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || why+=("no $tool")
  done
  [ -x /usr/lib/cni/bridge ] || why+=("no CNI plugins (containernetworking-plugins)")
  if [ ${#why[@]} -gt 0 ]; then
    mode=kwok
    echo "demo: on the kwok lab (Ramp as a process), since the real cluster needs what is missing here: ${why[*]}" >&2
  fi
fi
if [ "$mode" = cluster ]; then
  echo "demo: on the lab's real single-node cluster, Ramp installed with helm install" >&2
  exec bash "$here/e2e/lab.sh" cluster demo "$@"
fi
exec bash "$here/e2e/lab.sh" demo "$@"
