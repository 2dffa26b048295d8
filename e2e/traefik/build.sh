#!/usr/bin/env bash
# Builds Traefik, the Gateway API implementation the lab runs (issue 20), from Go modules, once:
#   ${RAMP_CACHE:-~/.cache/ramp}/traefik/<version>/traefik
# and copies the Gateway API CRDs (the module's config/crd, one file per release channel)
# from the Go module cache:
#   ${RAMP_CACHE:-~/.cache/ramp}/gateway-api/<version>/{standard,experimental}-install.yaml
# A no-op when they exist. Versions come from go.mod here (traefik/v3, gateway-api, lego/v5).
#
#   e2e/traefik/build.sh          build what is missing, print the paths
#   e2e/traefik/build.sh tidy     after changing a version in go.mod: go mod tidy in the work
#                                 directory, go.mod and go.sum copied back here; no build
#   e2e/traefik/build.sh crds     only the Gateway API CRDs (one `go mod download` of
#                                 sigs.k8s.io/gateway-api, no build): what the operator's tests
#                                 install (./test.sh runs it before Maven); a no-op when present
#
# Traefik's go.mod has replace directives, so `go install ...@version` refuses it; it is built
# as a tool of the wrapper module here, whose go.mod repeats Traefik's replacements where the
# Go module proxy serves their targets and replaces the rest (docs/lab.md, "Traefik"):
#   github.com/traefik/traefik/dynamic/ext  -> ./ext, two empty types (committed, ours)
#   github.com/abbot/go-http-auth (Traefik's fork, not served)
#                                           -> ./go-http-auth: v0.4.0 from the module cache
#                                              plus ramp_additions.go (ours)
#   github.com/go-acme/lego/v5              -> ./lego: the module from the module cache without
#                                              the DNS providers whose SDKs are not served
# Those directories are assembled in a work directory under the cache, not in the repository.
set -euo pipefail
# Debian's Go may be older than the go.mod files here want (or its go.env may say
# GOTOOLCHAIN=local); the go command then fetches the toolchain they name from the module proxy.
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
export GOFLAGS=-buildvcs=false
export CGO_ENABLED=0

here=$(cd "$(dirname "$0")" && pwd)
cache=${RAMP_CACHE:-$HOME/.cache/ramp}

modver() { # module path -> its version in go.mod here
  awk -v m="$1" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$here/go.mod"
}
version=$(modver github.com/traefik/traefik/v3)
gw_version=$(modver sigs.k8s.io/gateway-api)
lego_version=$(modver github.com/go-acme/lego/v5)
goauth_version=v0.4.0
for v in version gw_version lego_version; do
  [ -n "${!v}" ] || { echo "build.sh: no $v in $here/go.mod" >&2; exit 1; }
done

dir=$cache/traefik/$version
crds=$cache/gateway-api/$gw_version
mode=${1:-build}

if [ "$mode" = build ] && [ -x "$dir/traefik" ] \
    && [ -s "$crds/standard-install.yaml" ] && [ -s "$crds/experimental-install.yaml" ]; then
  echo "traefik $version: present in $dir/traefik"
  echo "gateway-api $gw_version CRDs: present in $crds"
  exit 0
fi

empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
moddir() { # module version -> its directory in the module cache, downloading it if needed
  # From an empty directory, so that no go.mod (and none of its replacements) is in effect.
  (cd "$empty" && go mod download -json "$1@$2") | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# --- The Gateway API CRDs, as the release's standard-install / experimental-install yaml.
if { [ "$mode" = build ] || [ "$mode" = crds ]; } && ! { [ -s "$crds/standard-install.yaml" ] && [ -s "$crds/experimental-install.yaml" ]; }; then
  gw=$(moddir sigs.k8s.io/gateway-api "$gw_version")
  mkdir -p "$crds"
  for channel in standard experimental; do
    out=$crds/$channel-install.yaml
    for f in "$gw/config/crd/$channel"/*.yaml; do
      [ "$(basename "$f")" = kustomization.yaml ] && continue
      printf -- '---\n# sigs.k8s.io/gateway-api@%s config/crd/%s/%s\n' "$gw_version" "$channel" "$(basename "$f")"
      cat "$f"
    done > "$out.tmp"
    mv "$out.tmp" "$out"
  done
fi

if [ "$mode" = crds ]; then
  echo "gateway-api $gw_version CRDs: $crds/{standard,experimental}-install.yaml"
  exit 0
fi

if [ "$mode" = build ] && [ -x "$dir/traefik" ]; then
  echo "traefik $version: present in $dir/traefik"
  echo "gateway-api $gw_version CRDs: $crds/{standard,experimental}-install.yaml"
  exit 0
fi

# --- The work directory: the wrapper module and the directories its go.mod replaces.
work=$dir/src
rm -rf "$work"
mkdir -p "$work"
cp "$here/go.mod" "$here/go.sum" "$work/"
cp -r "$here/ext" "$here/go-http-auth" "$work/"

# go-http-auth v0.4.0 (no go.mod of its own; ours is in go-http-auth/), without its tests.
src=$(moddir github.com/abbot/go-http-auth "$goauth_version")
for f in "$src"/*.go; do
  case "$f" in *_test.go) ;; *) cp "$f" "$work/go-http-auth/" ;; esac
done
cp "$src/LICENSE" "$work/go-http-auth/"

# lego, without the DNS providers whose SDK modules the proxy does not serve (403: no zip).
# lego's providers/dns/zz_gen_dns_providers.go imports every provider and names each in a
# switch, two lines per provider:
#       case "edgedns", "fastdns":
#               return edgedns.NewDNSProvider()
# For each unavailable provider: delete its package, its import line and those two lines.
# Asking Traefik for one of them then fails as for any unknown name ("unrecognized DNS
# provider"). Any other shape of the file stops the build here, not in the compiler.
unavailable=(
  alidns aliesa       # github.com/go-acme/alidns-20150109, github.com/go-acme/esa-20240910
  azion               # github.com/aziontech/azionapi-go-sdk
  dnsimple            # github.com/dnsimple/dnsimple-go/v9
  edgedns             # github.com/akamai/AkamaiOPEN-edgegrid-golang/v13
  edgeone             # github.com/go-acme/tencentedgdeone
  huaweicloud         # github.com/huaweicloud/huaweicloud-sdk-go-v3
  oraclecloud         # github.com/nrdcg/oci-go-sdk/{common,dns}/v1065
  regfish             # github.com/regfish/regfish-dnsapi-go
  sakuracloud         # github.com/sacloud/sacloud-sdk-go
  tencentcloud        # github.com/go-acme/tencentclouddnspod
  ucloud              # github.com/ucloud/ucloud-sdk-go
  yandexcloud         # github.com/yandex-cloud/go-sdk/services/dns
)
src=$(moddir github.com/go-acme/lego/v5 "$lego_version")
cp -r "$src" "$work/lego"
chmod -R u+w "$work/lego"
gen=$work/lego/providers/dns/zz_gen_dns_providers.go
for p in "${unavailable[@]}"; do
  before=$(wc -l < "$gen")
  rm -r "$work/lego/providers/dns/$p"
  sed -i -e "\#^\t\"github.com/go-acme/lego/v5/providers/dns/$p\"\$#d" \
         -e "/^\tcase .*:\$/{N;/\n\t\treturn $p\.NewDNSProvider()\$/d}" "$gen"
  if [ $((before - $(wc -l < "$gen"))) -ne 3 ] || grep -qw "$p" "$gen"; then
    echo "build.sh: could not remove the DNS provider $p from lego $lego_version's $gen" >&2
    exit 1
  fi
done

if [ "$mode" = tidy ]; then
  (cd "$work" && go mod tidy)
  cp "$work/go.mod" "$work/go.sum" "$here/"
  echo "go.mod and go.sum updated from $work"
  exit 0
fi

echo "building traefik $version from Go modules (cold: about 10 min on 2 cores, 1.4 GB of modules)"
ldflags="-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$version"
(cd "$work" && go build -trimpath -ldflags="$ldflags" -o "$dir/traefik.tmp" github.com/traefik/traefik/v3/cmd/traefik)
mv "$dir/traefik.tmp" "$dir/traefik"
rm -rf "$work"
echo "traefik $version: built in $dir/traefik"
echo "gateway-api $gw_version CRDs: $crds/{standard,experimental}-install.yaml"
