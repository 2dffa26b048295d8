#!/usr/bin/env bash
# Ramp's test command (README, "Run the tests"): does its own set-up, then runs the whole suite.
#   ./test.sh [MAVEN ARGS...]      e.g. ./test.sh -Dramp.image.skip, ./test.sh -pl operator -am
# 1. build/prerequisites.sh: as root, installs the Debian packages that are missing; otherwise
#    says exactly which to install and stops.
# 2. e2e/controlplane/build.sh: builds the control plane the tests run against, once, from Go
#    modules (a no-op when built); e2e/traefik/build.sh crds: the Gateway API CRDs the router's
#    tests install, once, from the Go module proxy (a no-op when present); e2e/keda/crds.sh: KEDA's
#    ScaledObject CRD, likewise.
# 2b. As root, e2e/traefik/build.sh: Traefik and the Gateway API CRDs, which the cluster lab runs
#    (docs/lab.md, "Traefik"), once, from Go modules (a no-op when built; about 10 minutes cold).
#    Not as root the lab runs on kwok, which has no Traefik: nothing to build.
# 2c. As root, e2e/metrics-server/build.sh: metrics-server, the resource metrics API of the
#    cluster lab's HPAs (docs/lab.md, "metrics-server"), likewise (about 6 minutes cold).
# 3. As root, a Docker API for the image tests (Testcontainers): podman's, for this run only,
#    unless DOCKER_HOST names one. Not as root, the operator's image and its tests are left out
#    (building it needs root) and the lab's tests run on kwok; it says so.
# 4. ./mvnw -B verify with the arguments given.
# Caches stay where later runs find them (~/.m2, ~/.cache/go-build, ~/go/pkg/mod, ~/.kubeapitest,
# ~/.cache/ramp (Traefik, the Gateway API CRDs, metrics-server), ~/.cache/google-cloud-tools-java); a missing
# one only makes the run slower.
set -euo pipefail
cd "$(dirname "$0")"

bash build/prerequisites.sh
bash e2e/controlplane/build.sh
bash e2e/traefik/build.sh crds
bash e2e/keda/crds.sh

maven=(-B verify)
if [ "$(id -u)" != 0 ]; then
  echo "test: not root, so the operator's image and its tests are left out (-Dramp.image.skip) and the lab's" \
    "tests run on kwok (docs/lab.md); as root the whole suite runs" >&2
  maven+=(-Dramp.image.skip)
else
  bash e2e/traefik/build.sh
  bash e2e/metrics-server/build.sh
  # The build tags a new ramp/operator image over the last one, which is left without a name: at
  # exit that one image is removed, if nothing else names it (no other image is touched).
  image=$(bash build/operator-image.sh)
  previous_image=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  drop_replaced_image() {
    local now
    now=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
    if [ -n "$previous_image" ] && [ "$previous_image" != "$now" ] \
        && [ -z "$(podman image inspect --format '{{.RepoTags}}' "$previous_image" 2>/dev/null | tr -d '[]')" ]; then
      podman rmi "$previous_image" >/dev/null 2>&1 || true
    fi
  }
  trap drop_replaced_image EXIT

  if [ -z "${DOCKER_HOST:-}" ]; then
    podman_dir=$(mktemp -d /tmp/ramp-podman.XXXXXX)
    podman system service --time=0 "unix://$podman_dir/podman.sock" >"$podman_dir/service.log" 2>&1 &
    podman_pid=$!
    # (set -e still holds in the trap: a service that already ended must not stop the cleanup.)
    trap 'kill "$podman_pid" 2>/dev/null || true; wait "$podman_pid" 2>/dev/null || true; rm -rf "$podman_dir"
          drop_replaced_image' EXIT
    for _ in $(seq 100); do [ -S "$podman_dir/podman.sock" ] && break; sleep 0.1; done
    [ -S "$podman_dir/podman.sock" ] || { echo "test: podman system service did not start:" >&2; cat "$podman_dir/service.log" >&2; exit 1; }
    export DOCKER_HOST="unix://$podman_dir/podman.sock"
    # Ryuk, Testcontainers' reaper, is an image from a registry; the tests remove their containers.
    export TESTCONTAINERS_RYUK_DISABLED=true
  fi
fi

./mvnw "${maven[@]}" "$@"
