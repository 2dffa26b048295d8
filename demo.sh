#!/usr/bin/env bash
# The Ramp demo (docs/lab.md): builds what it needs, starts the lab on loopback, releases a good
# version and a bad one through Git, and shows the promotion, the rollback and Ramp's revert commit.
# Ctrl-C leaves nothing running.
exec bash "$(dirname "$0")/e2e/lab.sh" demo "$@"
