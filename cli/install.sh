#!/bin/sh
# Builds the ramp CLI and installs it as `ramp` and `kubectl-ramp` (so `kubectl ramp` works)
# in $PREFIX/bin, by default ~/.local/bin. Needs Java 17+; see docs/cli.md.
set -eu
cd "$(dirname "$0")/.."
./mvnw -B -q -pl cli -am package -DskipTests -Dquarkus.build.skip=true
bin="${PREFIX:-$HOME/.local}/bin"
mkdir -p "$bin"
install -m 755 cli/target/ramp "$bin/ramp"
ln -sf ramp "$bin/kubectl-ramp"
echo "installed $bin/ramp and $bin/kubectl-ramp"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "add $bin to PATH to run them" ;;
esac
