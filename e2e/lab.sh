#!/usr/bin/env bash
# The Ramp lab (docs/lab.md), started and stopped by one command; nothing it starts is reachable
# from outside loopback or the lab's own network namespace.
#   e2e/lab.sh            build what is needed, start the lab with the demo app, run until Ctrl-C
#   e2e/lab.sh demo       the demo (what ./demo.sh runs): through Traefik in the cluster mode,
#                         through the Istio stand-in on kwok or with RAMP_DEMO_DATA_PLANE=istio
#   e2e/lab.sh benchmark  the measurements, written to docs/benchmarks.json
#   e2e/lab.sh benchmark traefik  the same through Traefik (cluster mode), under "traefik" in it
#   e2e/lab.sh failover   the leader Pod deleted mid-release, into docs/benchmarks-failover.json
#   e2e/lab.sh outage     kube-apiserver stopped mid-release (30 s, then 3 min), into
#                         docs/benchmarks-outage.json
#   e2e/lab.sh good-streak  good releases in a row at the fastest settings (run it beside a CPU
#                         burner), counting false rollbacks, into docs/benchmarks-good-streak.json
#   e2e/lab.sh versus-flagger  Ramp and Flagger (built from its Go module by
#                         e2e/controlplane/flagger/build.sh) side by side on one kwok lab, run in a
#                         network namespace of its own (root), into docs/benchmarks.json
#   e2e/lab.sh scale [N,N/S,N/flagger,...] [OUT.json]  N Rollouts (default 100,300,1000) released at once on
#                         one operator (N/S: over S shards; N/flagger: the same N through Flagger instead, built
#                         like versus-flagger's, in a network namespace of its own: root) with the chart's JVM
#                         settings, on kwok with fake nodes, each size on a fresh lab, into docs/scale.json
#                         and docs/scale.md (a run replaces the rows of its sizes and keeps the others)
#   e2e/lab.sh judge [MINUTES]  the statistical judge's error rates: A/A and A/B releases (latency
#                         +10/+25/+50%, errors +0.5/+2 points) checked by the operator's own checks,
#                         the judge beside today's thresholds, for MINUTES (default 20); no cluster,
#                         only Prometheus and the demo's services; into docs/judge.json and docs/judge.md
#   e2e/lab.sh exec [COMMAND...]   from another shell, while a lab is up: COMMAND (or a shell) in
#                         the lab's network namespace, with the lab's KUBECONFIG, and kubectl and
#                         the ramp CLI (cli/install.sh's ${PREFIX:-~/.local}/bin) on PATH;
#                         RAMP_LAB_DIR names another lab's directory
# The lab is a real single-node cluster (kubelet, containerd, kube-proxy, the demo as containers,
# Ramp installed by helm install from its image, all in a network namespace of the lab's own)
# wherever the machine runs it: as root, with the packages build/prerequisites.sh installs.
# Elsewhere it is kwok, with Ramp as a process, and says why. RAMP_LAB_MODE=kwok|cluster (or
# `e2e/lab.sh cluster ...`) chooses.
# State and logs: e2e/.work/lab/. Ctrl-C (or any exit) leaves nothing running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work="$root/e2e/.work/lab"

# exec: reaches the running lab through the file it writes when up (Lab.SESSION_FILE).
if [ "${1:-}" = exec ]; then
  shift
  dir=${RAMP_LAB_DIR:-$work}
  if [ ! -f "$dir/lab.env" ]; then
    echo "lab: no lab is up in $dir (start one: e2e/lab.sh)" >&2
    exit 1
  fi
  pid= kubeconfig= bin=
  while IFS='=' read -r key value; do
    case "$key" in
      RAMP_LAB_PID) pid=$value ;;
      KUBECONFIG) kubeconfig=$value ;;
      RAMP_LAB_BIN) bin=$value ;;
    esac
  done <"$dir/lab.env"
  if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
    echo "lab: the lab that wrote $dir/lab.env (PID ${pid:-none}) is gone" >&2
    exit 1
  fi
  export KUBECONFIG="$kubeconfig" PATH="$bin:${PREFIX:-$HOME/.local}/bin:$PATH"
  [ $# -gt 0 ] || set -- "${SHELL:-bash}"
  if [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ]; then
    exec "$@"
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "lab: the lab runs in a network namespace of its own; entering it needs root (sudo e2e/lab.sh exec ...)" >&2
    exit 1
  fi
  exec nsenter --net="/proc/$pid/ns/net" -- "$@"
fi

# The mode: the real cluster wherever this machine runs it, else kwok, saying why (docs/lab.md).
mode=$(printf '%s' "${RAMP_LAB_MODE:-auto}" | tr '[:upper:]' '[:lower:]')
case "$mode" in
  auto|kwok|cluster) ;;
  *) echo "RAMP_LAB_MODE=$RAMP_LAB_MODE: expected kwok, cluster or auto" >&2; exit 2 ;;
esac
if [ "${1:-}" = cluster ]; then
  mode=cluster
  shift
fi
case "${1:-up}" in
  up) main=dev.ramp.lab.Lab ;;
  demo) main=dev.ramp.lab.Demo ;;
  benchmark) main=dev.ramp.lab.Benchmark ;;
  failover) main=dev.ramp.lab.FailoverBenchmark ;;
  outage) main=dev.ramp.lab.OutageBenchmark ;;
  versus-flagger) main=dev.ramp.lab.FlaggerBenchmark ;;
  good-streak) main=dev.ramp.lab.GoodStreakBenchmark ;;
  scale) main=dev.ramp.lab.ScaleBenchmark ;;
  judge) main=dev.ramp.lab.JudgeBenchmark ;;
  *) echo "usage: $0 [cluster] [up|demo|benchmark|failover|outage|versus-flagger|good-streak|scale|judge] | $0 exec [COMMAND...]" >&2; exit 2 ;;
esac
flagger=()
if [ "$main" = dev.ramp.lab.FlaggerBenchmark ]; then
  # Flagger's HTTP server listens on all interfaces (-port): it runs only where the lab is alone,
  # in a network namespace of the lab's own, which takes root. On kwok, as the comparison is
  # documented (docs/lab.md).
  if [ "$(id -u)" != 0 ]; then
    echo "lab: versus-flagger runs the lab in a network namespace of its own (Flagger listens on all interfaces): run it as root" >&2
    exit 1
  fi
  [ "$mode" = kwok ] || echo "lab: versus-flagger runs on kwok, with Ramp and Flagger as processes" >&2
  mode=kwok
  eval "$(bash e2e/controlplane/flagger/build.sh)"
  flagger=(-Dramp.flagger.version="$RAMP_FLAGGER_VERSION" -Dramp.flagger.bin="$RAMP_FLAGGER_BIN"
    -Dramp.flagger.crds="$RAMP_FLAGGER_CRDS")
fi
if [ "$main" = dev.ramp.lab.ScaleBenchmark ]; then
  # Thousands of Pods: kwok's, on fake nodes; Ramp as a process with the chart's JVM settings.
  [ "$mode" = kwok ] || [ "$mode" = auto ] || echo "lab: scale runs on kwok, with Ramp as a process" >&2
  mode=kwok
  # N/flagger: Flagger listens on all interfaces, so the whole run goes into a network namespace of its own.
  if [[ ",${2:-}," =~ /flagger, ]]; then
    if [ "$(id -u)" != 0 ]; then
      echo "lab: scale N/flagger runs the lab in a network namespace of its own (Flagger listens on all interfaces): run it as root" >&2
      exit 1
    fi
    eval "$(bash e2e/controlplane/flagger/build.sh)"
    flagger=(-Dramp.flagger.version="$RAMP_FLAGGER_VERSION" -Dramp.flagger.bin="$RAMP_FLAGGER_BIN"
      -Dramp.flagger.crds="$RAMP_FLAGGER_CRDS")
  fi
fi
if [ "$main" = dev.ramp.lab.JudgeBenchmark ]; then
  # No cluster at all: the operator's checks run in the benchmark's JVM against Prometheus (docs/judge.md).
  [ "$mode" = kwok ] || [ "$mode" = auto ] || echo "lab: judge needs no cluster; it runs as on kwok, without one" >&2
  mode=kwok
fi
if [ "$mode" = auto ]; then
  why=()
  [ "$(id -u)" = 0 ] || why+=("not root")
  for tool in containerd runc podman mmdebstrap ip iptables unshare; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || why+=("no $tool")
  done
  [ -x /usr/lib/cni/bridge ] || why+=("no CNI plugins (containernetworking-plugins)")
  if [ ${#why[@]} -gt 0 ]; then
    mode=kwok
    echo "lab: on kwok with Ramp as a process, since the real cluster needs what is missing here: ${why[*]}" \
      "(as root, build/prerequisites.sh installs it)" >&2
  else
    mode=cluster
  fi
fi
if [ "$mode" = cluster ]; then
  echo "lab: on a real single-node cluster (containerd, kubelet, kube-proxy) in a network namespace of its own," \
    "Ramp installed with helm install from its image" >&2
fi

[ "$main" = dev.ramp.lab.JudgeBenchmark ] || bash e2e/controlplane/build.sh
# The cluster runs Traefik, the Gateway API's data plane (docs/lab.md, "Traefik"): built once,
# here where its output shows (the lab would build it too, silently).
[ "$mode" != cluster ] || bash e2e/traefik/build.sh
# And metrics-server, the resource metrics API behind kubectl top and HPAs (docs/lab.md, "metrics-server").
[ "$mode" != cluster ] || bash e2e/metrics-server/build.sh
if [ "${RAMP_LAB_SKIP_BUILD:-}" != 1 ]; then
  # The kwok lab runs the packaged jar; only the cluster needs the image (root, podman, mmdebstrap).
  skip_image=()
  [ "$mode" = cluster ] || skip_image=(-Dramp.image.skip)
  echo "building Ramp (./mvnw -B -q -DskipTests ${skip_image[*]} package)"
  ./mvnw -B -q -DskipTests "${skip_image[@]}" package
fi
if [ "$mode" = cluster ]; then
  image=$(bash build/operator-image.sh)
  if ! podman image exists "$image"; then
    echo "lab: the operator's image $image is not in podman's storage; build it: ./mvnw -B -DskipTests package" >&2
    exit 1
  fi
fi

# One lab per checkout: refuse to start over a lab that is still running.
running_lab() {
  [ -f "$work/pids" ] || return 1
  while read -r pid _; do
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$work"; then return 0; fi
  done <"$work/pids"
  return 1
}
if running_lab; then
  echo "a lab is already running from $work (PIDs in $work/pids); stop it first" >&2
  exit 1
fi

java_pid=
# Stops the lab's JVM (its shutdown hook stops what it started), then any program the lab
# started that outlived it: only PIDs the lab recorded whose command line names its directory.
cleanup() {
  trap - INT TERM EXIT
  if [ -n "$java_pid" ] && kill -0 "$java_pid" 2>/dev/null; then
    kill -TERM "$java_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$java_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$java_pid" 2>/dev/null || true
  fi
  if [ -f "$work/pids" ]; then
    while read -r pid name; do
      if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$work"; then
        echo "stopping leftover $name ($pid)"
        kill -TERM "$pid" 2>/dev/null || true
      fi
    done <"$work/pids"
  fi
  # Cluster mode: the Pods' shims and processes, if the JVM died before stopping them: the shims
  # name the lab's containerd socket; the Pods' processes are in the lab's cgroup (by the JVM's PID).
  if [ "$mode" = cluster ] && [ -n "$java_pid" ]; then
    for cg in /sys/fs/cgroup/*/"ramp-lab-$java_pid"; do
      [ -d "$cg" ] || continue
      find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done
    done
    for p in /proc/[0-9]*; do
      # A process may end between the glob and the read: its vanished cmdline is not an error.
      if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "containerd-shim.*$work/containerd/containerd.sock"; then
        kill -KILL "${p#/proc/}" 2>/dev/null || true
      fi
    done
    sleep 0.5
    for cg in /sys/fs/cgroup/*/"ramp-lab-$java_pid"; do
      [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$work"
launch=()
{ [ "$mode" = cluster ] || [ ${#flagger[@]} -gt 0 ]; } && launch=("$root/e2e/lab/netns.sh")
"${launch[@]}" java -Djdk.httpclient.allowRestrictedHeaders=host -Dramp.root="$root" -Dramp.lab.mode="$mode" "${flagger[@]}" \
  -cp "$root/e2e/lab/target/classes:$root/e2e/lab/target/lib/*" "$main" "${@:2}" &
java_pid=$!
wait "$java_pid"
