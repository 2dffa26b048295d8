#!/usr/bin/env bash
# The cold path, proved without this machine's history: README's commands run in a clean clone
# of this repository's HEAD as on a machine where nothing of Ramp was ever built. In a mount
# namespace of its own it mounts new empty directories over $HOME (so no ~/.m2, ~/.cache (Go's
# build cache, Ramp's base image, Jib's), ~/go, ~/.kubeapitest, ~/.config: the JVM takes its
# user.home from the password database, so setting HOME alone would not do) and over podman's
# storage (no image of an earlier build). All of it lives in one temporary directory, removed at
# the end; nothing outside it is touched but what the commands themselves install (Debian's
# packages, through build/prerequisites.sh).
#   build/cold-start.sh [demo|test|run-local]...     default: demo run-local test, in that order
#     demo       ./demo.sh to its summary
#     run-local  e2e/run-local.sh until the operator runs, then kubectl apply -f docs/examples/
#                and the Rollout's status written by the operator; then stops it (SIGTERM)
#     test       ./test.sh (README's test command; .ci/run runs it)
# Each command's output, every line stamped with the seconds since the command began, goes to
# COLD_START_LOG (default: /tmp/ramp-cold-start.<time>.log); at the end it prints how long each
# command and each part of the demo took. Needs root (the mounts; the demo's cluster).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(demo run-local test)
for step in "${steps[@]}"; do
  case "$step" in demo|test|run-local) ;; *) echo "usage: $0 [demo|test|run-local]..." >&2; exit 2 ;; esac
done

if [ -z "${RAMP_COLD_START_DIR:-}" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1; then
    echo "cold-start: needs root and unshare (it mounts empty directories over \$HOME and podman's storage in a mount namespace of its own)" >&2
    exit 1
  fi
  export RAMP_COLD_START_DIR
  RAMP_COLD_START_DIR=$(mktemp -d /tmp/ramp-cold.XXXXXX)
  export COLD_START_LOG=${COLD_START_LOG:-/tmp/ramp-cold-start.$(date -u +%Y%m%dT%H%M%SZ).log}
  code=0
  unshare --mount --propagation private -- bash "$0" "${steps[@]}" || code=$?
  # What the namespace mounted ended with it; Go's module cache is read-only by design.
  chmod -R u+w "$RAMP_COLD_START_DIR" 2>/dev/null || true
  rm -rf "$RAMP_COLD_START_DIR"
  exit "$code"
fi

# Inside the mount namespace.
tmp=$RAMP_COLD_START_DIR
log=$COLD_START_LOG
run_local_pid=
cleanup() {
  if [ -n "$run_local_pid" ] && kill -0 "$run_local_pid" 2>/dev/null; then
    kill -TERM "$run_local_pid" 2>/dev/null || true
    wait "$run_local_pid" 2>/dev/null || true
  fi
  # Containers the commands left would hold mounts under $tmp.
  if command -v podman >/dev/null 2>&1; then
    podman rm --all --force >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

empty() { # mounts a new empty directory over $1
  mkdir -p "$tmp/mounts$1" "$1"
  mount --bind "$tmp/mounts$1" "$1"
}
empty "$HOME"
for dir in /var/lib/containers/storage /run/containers/storage /run/libpod; do
  empty "$dir"
done
git clone -q "$root" "$tmp/src"
# The shared folder beside the checkout, where CI has it, if there is one.
if [ -d "$root/../shared" ]; then ln -s "$root/../shared" "$tmp/shared"; fi
: >"$log"
echo "cold start in $tmp/src with an empty $HOME and podman storage; output in $log"

since() { # seconds since $1 (date +%s.%N)
  awk -v begin="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - begin }'
}
stamp() { # prefixes each line with the seconds since $1
  local begin=$1 line
  while IFS= read -r line; do
    printf '%7ss %s\n' "$(since "$begin")" "$line"
  done
}

summary=()
timed() { # name command...
  local name=$1 begin code=0
  shift
  begin=$(date +%s.%N)
  echo "=== $name: $*" | tee -a "$log"
  cd "$tmp/src"
  "$@" > >(stamp "$begin" | tee -a "$log") 2>&1 || code=$?
  cd - >/dev/null
  summary+=("$(printf '%-10s %7.1fs  exit %s' "$name" "$(since "$begin")" "$code")")
  return "$code"
}

run_local() {
  local kubeconfig=$tmp/src/e2e/.work/kubeconfig begin
  begin=$(date +%s.%N)
  e2e/run-local.sh > >(stamp "$begin" >>"$log") 2>&1 &
  run_local_pid=$!
  local kubectl=
  for _ in $(seq 1 3600); do
    kill -0 "$run_local_pid" 2>/dev/null || { echo "run-local ended before the operator started" >&2; return 1; }
    if grep -q "operator starting" "$log" && [ -f "$kubeconfig" ]; then
      kubectl=$(ls -d "$HOME"/.kubeapitest/k8s/*-linux-amd64/kubectl | tail -1)
      break
    fi
    sleep 1
  done
  [ -n "$kubectl" ] || { echo "run-local: the operator did not start within an hour" >&2; return 1; }
  "$kubectl" --kubeconfig "$kubeconfig" apply -f docs/examples/
  local phase=
  for _ in $(seq 1 120); do
    phase=$("$kubectl" --kubeconfig "$kubeconfig" get rollout podinfo -o jsonpath='{.status.phase}' 2>/dev/null || true)
    [ -n "$phase" ] && break
    sleep 1
  done
  [ -n "$phase" ] || { echo "run-local: the operator wrote no status on the example Rollout within 120 s" >&2; return 1; }
  echo "run-local: the example Rollout's phase: $phase"
  kill -TERM "$run_local_pid"
  wait "$run_local_pid" || true
  run_local_pid=
}

failed=0
for step in "${steps[@]}"; do
  case "$step" in
    demo) timed demo ./demo.sh || failed=1 ;;
    test) timed test ./test.sh || failed=1 ;;
    run-local) timed run-local run_local || failed=1 ;;
  esac
done

echo
echo "cold start, $(nproc) cores ($log):"
printf '  %s\n' "${summary[@]}"
# The demo's parts, from its stamped lines.
part() { grep -m1 -F "$2" "$log" | awk -v name="$1" '{print "    " name ": at " $1}' || true; }
if printf '%s\n' "${steps[@]}" | grep -qx demo; then
  part "control plane built" "control plane "
  part "Maven build began (operator image)" "building Ramp"
  part "lab began (image built)" "lab directory"
  part "cluster up" "cluster up in"
  part "demo summary" "== summary =="
fi
exit "$failed"
