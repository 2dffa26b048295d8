#!/usr/bin/env bash
# Prints the operator image's name as the build makes it and the chart deploys it by default:
# ramp/operator:<the chart's appVersion> (the Maven version; the chart's tests keep them equal).
set -euo pipefail
chart="$(cd "$(dirname "$0")/.." && pwd)/charts/ramp/Chart.yaml"
echo "ramp/operator:$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$chart")"
