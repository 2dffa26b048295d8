#!/usr/bin/env bash
# A local Kubernetes control plane on loopback, from the binaries e2e/controlplane/build.sh builds:
# etcd and kube-apiserver (with kube-controller-manager and kube-scheduler when asked), no
# containers, no download. Writes e2e/.work/kubeconfig for kubectl and the operator.
#   e2e/local-cluster.sh up [--full]   start (idempotent); --full adds controller-manager and scheduler
#   e2e/local-cluster.sh down          stop what `up` started and remove its state
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work="$here/.work/cluster"
kubeconfig="$here/.work/kubeconfig"
etcd_port=${RAMP_ETCD_PORT:-23790}
api_port=${RAMP_API_PORT:-26443}

bin_dir() {
  bash "$here/controlplane/build.sh" >&2
  local version
  version=$(awk '/^require k8s.io\/kubernetes /{sub(/^v/,"",$3); print $3}' "$here/controlplane/kube/go.mod")
  echo "${KUBEAPITEST_DIR:-$HOME/.kubeapitest}/k8s/${version}-linux-amd64"
}

start() { # name command...
  local name=$1; shift
  if [ -f "$work/$name.pid" ] && kill -0 "$(cat "$work/$name.pid")" 2>/dev/null; then return 0; fi
  "$@" >"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pid"
}

up() {
  local bin; bin=$(bin_dir)
  mkdir -p "$work/etcd" "$work/pki"
  if [ ! -f "$work/pki/sa.key" ]; then
    openssl genrsa -out "$work/pki/sa.key" 2048 2>/dev/null
    openssl rsa -in "$work/pki/sa.key" -pubout -out "$work/pki/sa.pub" 2>/dev/null
    head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/pki/token"
    echo "$(cat "$work/pki/token"),admin,admin,system:masters" >"$work/pki/tokens.csv"
  fi
  start etcd "$bin/etcd" --data-dir "$work/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
    --initial-cluster "default=http://127.0.0.1:$((etcd_port + 1))"
  start kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --secure-port "$api_port" --cert-dir "$work/pki" \
    --token-auth-file "$work/pki/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$work/pki/sa.pub" \
    --service-account-signing-key-file "$work/pki/sa.key" --service-cluster-ip-range 10.96.0.0/24 \
    --disable-admission-plugins ServiceAccount
  cat >"$kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: ramp-local, cluster: {server: "https://127.0.0.1:$api_port", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$(cat "$work/pki/token")"}}]
contexts: [{name: ramp-local, context: {cluster: ramp-local, user: admin}}]
current-context: ramp-local
KC
  for _ in $(seq 1 120); do
    if "$bin/kubectl" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  "$bin/kubectl" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null
  if [ "${1:-}" = "--full" ]; then
    start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$kubeconfig" \
      --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
      --service-account-private-key-file "$work/pki/sa.key" --use-service-account-credentials=false \
      --controllers '*,-serviceaccount-token'
    start kube-scheduler "$bin/kube-scheduler" --kubeconfig "$kubeconfig" --bind-address 127.0.0.1 \
      --secure-port 0 --leader-elect=false
  fi
  echo "control plane up: export KUBECONFIG=$kubeconfig"
}

down() {
  for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do
    if [ -f "$work/$name.pid" ]; then
      kill "$(cat "$work/$name.pid")" 2>/dev/null || true
      rm -f "$work/$name.pid"
    fi
  done
  rm -rf "$work" "$kubeconfig"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  *) echo "usage: $0 up [--full] | down" >&2; exit 2 ;;
esac
