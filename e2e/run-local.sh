#!/usr/bin/env bash
# Runs the Ramp operator on this machine against a local control plane (e2e/local-cluster.sh):
# builds what it needs, installs the CRDs, and runs the operator in the foreground.
# Ctrl-C stops the operator and the control plane.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
trap 'bash e2e/local-cluster.sh down' EXIT
bash e2e/local-cluster.sh up
export KUBECONFIG="$root/e2e/.work/kubeconfig"
bin=$(dirname "$(ls -d "${KUBEAPITEST_DIR:-$HOME/.kubeapitest}"/k8s/*-linux-amd64/kubectl | tail -1)")
"$bin/kubectl" apply --server-side -f crds/
./mvnw -B -q -DskipTests package
echo "operator starting; try: $bin/kubectl apply -f docs/examples/ (KUBECONFIG=$KUBECONFIG)"
QUARKUS_PROFILE=single java -jar operator/target/quarkus-app/quarkus-run.jar
