#!/usr/bin/env bash
# The Ramp demo (docs/lab.md): builds what it needs, starts the lab, releases a good version and a
# bad one through Git, and shows the promotion, the rollback and Ramp's revert commit.
# As root on Debian it first installs the packages the lab needs (build/prerequisites.sh, as
# ./test.sh does), so on a fresh machine the demo runs on the lab's real single-node cluster with
# Ramp installed by Helm from its image. Elsewhere it runs on the kwok lab with Ramp as a process,
# and says why. RAMP_LAB_MODE (kwok or cluster) chooses. Ctrl-C leaves nothing running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/build/prerequisites.sh" --try
exec bash "$here/e2e/lab.sh" demo "$@"
