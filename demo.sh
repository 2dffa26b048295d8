#!/usr/bin/env bash
# The Ramp demo (docs/lab.md): builds what it needs, starts the lab, releases a good version and a
# bad one through Git, and shows the promotion, the rollback and Ramp's revert commit.
# As root on Debian it first installs the packages the lab needs (build/prerequisites.sh, as
# .ci/run does), so on a fresh machine the demo runs on the lab's real single-node cluster with
# Ramp installed by Helm from its image. Elsewhere it runs on the kwok lab with Ramp as a process,
# and says why. RAMP_LAB_MODE (kwok or cluster) chooses. Ctrl-C leaves nothing running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # Installs what is missing (a no-op when nothing is) and podman's configuration; if that
  # fails (no network, say), the lab says below what it lacks and falls back to kwok.
  bash "$here/build/prerequisites.sh" || echo "demo: build/prerequisites.sh failed; going on with what is here" >&2
elif ! missing=$(bash "$here/build/prerequisites.sh" --check); then
  echo "demo: missing Debian packages: $missing (as root, build/prerequisites.sh installs them)" >&2
fi
exec bash "$here/e2e/lab.sh" demo "$@"
