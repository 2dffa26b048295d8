#!/usr/bin/env bash
# Checks the Traefik that build.sh makes against a real kube-apiserver, in a network namespace
# of its own (unshare --net: only lo, nothing of the machine's network is touched):
#   etcd + kube-apiserver from ~/.kubeapitest (e2e/controlplane/build.sh), the Gateway API
#   CRDs (standard channel), Traefik with its kubernetesgateway provider and Prometheus
#   metrics, a GatewayClass, a Gateway and an HTTPRoute with two weighted backendRefs to two
#   Services. Their EndpointSlices are written by hand and name 192.0.2.1 and 192.0.2.2
#   (documentation addresses, put on the namespace's lo: the API server refuses loopback
#   addresses in EndpointSlices), where two small HTTP servers answer "primary" and "canary".
# It checks: the HTTPRoute Accepted by Traefik; requests through the Gateway split as the
# weights say (80/20, then 0/100 after a change); traefik_service_requests_total per backend.
#   e2e/traefik/smoke.sh        needs root (unshare), python3 (the backends), curl, openssl
# Not part of ./test.sh or .ci/run (yet). Every process it starts is ended by PID; every
# wait is bounded.
set -euo pipefail
export NO_PROXY="*" no_proxy="*"  # everything here is local
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${RAMP_TRAEFIK_SMOKE_NETNS:-}" ]; then
  [ "$(id -u)" = 0 ] && command -v unshare >/dev/null \
    || { echo "smoke.sh: needs root and unshare (a network namespace of its own)" >&2; exit 1; }
  bash "$here/../controlplane/build.sh"
  bash "$here/build.sh"
  exec unshare --net -- env RAMP_TRAEFIK_SMOKE_NETNS=1 bash "$0" "$@"
fi

# --- Inside the namespace.
cache=${RAMP_CACHE:-$HOME/.cache/ramp}
modver() { awk -v m="$1" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$2"; }
kube_version=$(modver k8s.io/kubernetes "$here/../controlplane/kube/go.mod"); kube_version=${kube_version#v}
bin=${KUBEAPITEST_DIR:-$HOME/.kubeapitest}/k8s/$kube_version-linux-amd64
traefik=$cache/traefik/$(modver github.com/traefik/traefik/v3 "$here/go.mod")/traefik
crds=$cache/gateway-api/$(modver sigs.k8s.io/gateway-api "$here/go.mod")/standard-install.yaml

ip link set lo up
ip addr add 192.0.2.1/32 dev lo
ip addr add 192.0.2.2/32 dev lo

tmp=$(mktemp -d)
pids=()
stop() {
  local rc=$? pid i
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    for f in "$tmp"/*.log; do echo "--- last lines of $f"; tail -n 15 "$f"; done
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap stop EXIT
start() { # name command... (its output in $tmp/name.log)
  local name=$1; shift
  "$@" > "$tmp/$name.log" 2>&1 &
  pids+=($!)
}
await() { # seconds description command...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "smoke.sh: no $what within $1 s" >&2; return 1; }
    sleep 0.5
  done
}
t0=$SECONDS
say() { printf '[%3ss] %s\n' $((SECONDS - t0)) "$*"; }

# --- Control plane: loopback only, a static admin token.
token=$(openssl rand -hex 16)
echo "$token,admin,admin,system:masters" > "$tmp/tokens.csv"
openssl genrsa -out "$tmp/sa.key" 2048 2>/dev/null
openssl rsa -in "$tmp/sa.key" -pubout -out "$tmp/sa.pub" 2>/dev/null
start etcd "$bin/etcd" --data-dir "$tmp/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster default=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381
start kube-apiserver "$bin/kube-apiserver" --etcd-servers http://127.0.0.1:2379 \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port 6443 --cert-dir "$tmp/pki" \
  --token-auth-file "$tmp/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$tmp/sa.pub" --service-account-signing-key-file "$tmp/sa.key" \
  --endpoint-reconciler-type none --service-cluster-ip-range 10.96.0.0/24 \
  --disable-admission-plugins ServiceAccount
cat > "$tmp/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: smoke, cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$token"}}]
contexts: [{name: smoke, context: {cluster: smoke, user: admin}}]
current-context: smoke
EOF
export KUBECONFIG=$tmp/kubeconfig
k() { "$bin/kubectl" --request-timeout=20s "$@"; }
await 120 "kube-apiserver ready" k get --raw /readyz
say "kube-apiserver $kube_version ready"
k apply --server-side -f "$crds" > /dev/null
await 60 "Gateway API CRDs established" k wait --for condition=Established --timeout=5s \
  crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io \
  crd/httproutes.gateway.networking.k8s.io crd/grpcroutes.gateway.networking.k8s.io \
  crd/referencegrants.gateway.networking.k8s.io
say "Gateway API CRDs applied: $crds"

# --- Two backends, each answering its name.
for b in primary:192.0.2.1 canary:192.0.2.2; do
  mkdir -p "$tmp/www-${b%%:*}"
  echo "${b%%:*}" > "$tmp/www-${b%%:*}/index.html"
  start "backend-${b%%:*}" python3 -m http.server 8080 --bind "${b#*:}" --directory "$tmp/www-${b%%:*}"
done

# --- Traefik: entry point web on :8000 (the Gateway's listener port), metrics on :9100.
start traefik "$traefik" --log.level=INFO \
  --entryPoints.web.address=127.0.0.1:8000 --entryPoints.metrics.address=127.0.0.1:9100 \
  --metrics.prometheus=true --metrics.prometheus.entryPoint=metrics \
  --metrics.prometheus.buckets=0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5 \
  --providers.kubernetesgateway=true --providers.kubernetesgateway.statusAddress.ip=127.0.0.1
await 30 "Traefik's metrics endpoint" curl --noproxy "*" -sf --max-time 2 http://127.0.0.1:9100/metrics
say "$("$traefik" version | tr -s ' \n' ' ')"

k apply -f - > /dev/null <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: smoke}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: traefik}
spec: {controllerName: traefik.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: smoke}
spec:
  gatewayClassName: traefik
  listeners: [{name: web, protocol: HTTP, port: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: app-primary, namespace: smoke}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: app-canary, namespace: smoke}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: app-primary-1
  namespace: smoke
  labels: {kubernetes.io/service-name: app-primary, endpointslice.kubernetes.io/managed-by: smoke.ramp.dev}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints: [{addresses: [192.0.2.1], conditions: {ready: true}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: app-canary-1
  namespace: smoke
  labels: {kubernetes.io/service-name: app-canary, endpointslice.kubernetes.io/managed-by: smoke.ramp.dev}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints: [{addresses: [192.0.2.2], conditions: {ready: true}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app, namespace: smoke}
spec:
  parentRefs: [{name: public}]
  rules:
  - backendRefs:
    - {name: app-primary, port: 80, weight: 80}
    - {name: app-canary, port: 80, weight: 20}
EOF
accepted() {
  [ "$(k -n smoke get httproute app \
    -o jsonpath='{.status.parents[0].conditions[?(@.type=="Accepted")].status}')" = True ]
}
await 60 "HTTPRoute Accepted" accepted
say "HTTPRoute smoke/app: $(k -n smoke get httproute app -o jsonpath='{range .status.parents[0].conditions[*]}{.type}={.status} {end}')"
say "Gateway smoke/public: $(k -n smoke get gateway public -o jsonpath='{range .status.conditions[*]}{.type}={.status} {end}')"

split() { # requests -> "primary N canary M other K"
  local p=0 c=0 o=0 i body
  for i in $(seq "$1"); do
    body=$(curl --noproxy "*" -s --max-time 2 http://127.0.0.1:8000/ || true)
    case "$body" in primary) p=$((p + 1)) ;; canary) c=$((c + 1)) ;; *) o=$((o + 1)) ;; esac
  done
  echo "primary $p canary $c other $o"
}
routed() { case "$(curl --noproxy "*" -s --max-time 2 http://127.0.0.1:8000/)" in primary | canary) ;; *) return 1 ;; esac; }
await 30 "a request answered through the Gateway" routed
got=$(split 100)
say "100 requests at weights 80/20: $got"
read -r _ p _ c _ o <<<"$got"
[ "$o" -eq 0 ] && [ "$p" -ge 70 ] && [ "$p" -le 90 ] || { echo "smoke.sh: not an 80/20 split" >&2; exit 1; }

k -n smoke patch httproute app --type=json \
  -p='[{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":0},{"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":100}]' > /dev/null
changed=$SECONDS
all_canary() { [ "$(split 5)" = "primary 0 canary 5 other 0" ]; }
await 30 "all requests on the canary after the weight change" all_canary
say "weights 0/100 written; all requests on the canary within $((SECONDS - changed)) s"
got=$(split 20)
say "20 requests at weights 0/100: $got"
[ "$got" = "primary 0 canary 20 other 0" ] || { echo "smoke.sh: not a 0/100 split" >&2; exit 1; }

metrics=$(curl --noproxy "*" -sf --max-time 5 http://127.0.0.1:9100/metrics | grep '^traefik_service_requests_total' || true)
[ -n "$metrics" ] || { echo "smoke.sh: no traefik_service_requests_total" >&2; exit 1; }
say "Traefik's metrics:"
echo "$metrics"
say "passed"
