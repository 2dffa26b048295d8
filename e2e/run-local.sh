#!/usr/bin/env bash
# Runs the Ramp operator on this machine against a local control plane (e2e/local-cluster.sh):
# builds what it needs, installs Ramp's CRDs and Istio's routing CRDs (the operator watches
# VirtualServices and DestinationRules; e2e/istio/crds.yaml), and runs the operator in the
# foreground. Ctrl-C (or SIGTERM) stops the operator and the control plane.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash build/prerequisites.sh --try
java_pid=
# Ctrl-C or SIGTERM: the operator, then the control plane.
stop() {
  if [ -n "$java_pid" ]; then kill -TERM "$java_pid" 2>/dev/null || true; wait "$java_pid" 2>/dev/null || true; fi
  bash e2e/local-cluster.sh down
}
trap stop EXIT
trap 'exit 130' INT TERM
bash e2e/local-cluster.sh up
export KUBECONFIG="$root/e2e/.work/kubeconfig"
bin=$(dirname "$(ls -d "${KUBEAPITEST_DIR:-$HOME/.kubeapitest}"/k8s/*-linux-amd64/kubectl | tail -1)")
"$bin/kubectl" apply --server-side -f crds/ -f e2e/istio/crds.yaml
"$bin/kubectl" wait --for condition=established --timeout=60s -f crds/ -f e2e/istio/crds.yaml >/dev/null
# Only the jar: the image (which needs root, podman and mmdebstrap) is not used here.
./mvnw -B -q -DskipTests -Dramp.image.skip package
echo "operator starting; in another shell:"
echo "  export KUBECONFIG=$KUBECONFIG PATH=$bin:\$PATH"
echo "  kubectl apply -f docs/examples/ && kubectl get rollout podinfo"
QUARKUS_PROFILE=single java -jar operator/target/quarkus-app/quarkus-run.jar &
java_pid=$!
wait "$java_pid"
