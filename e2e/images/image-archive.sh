#!/usr/bin/env bash
# Packs one static binary into an image archive that `ctr images import` (and `docker load`,
# `podman load`) read: an OCI image layout plus Docker's manifest.json, one uncompressed layer
# holding only the binary, no registry and no daemon involved. Reproducible: same binary, same
# archive.
#   image-archive.sh OUT.tar REF BINARY PATH-IN-IMAGE [ENV=VALUE ...]
# The image's entrypoint is PATH-IN-IMAGE; it runs as the user 65532 unless ENV names none.
set -euo pipefail
out=$1 ref=$2 bin=$3 path=${4#/}
shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/rootfs/$(dirname "$path")" "$work/oci/blobs/sha256"
install -m 0755 "$bin" "$work/rootfs/$path"
tar -C "$work/rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  -cf "$work/layer.tar" .
blob() { # file -> digest (hex), copied into the layout
  local d
  d=$(sha256sum "$1" | cut -d' ' -f1)
  cp "$1" "$work/oci/blobs/sha256/$d"
  echo "$d"
}
size() { stat -c %s "$1"; }

layer=$(blob "$work/layer.tar")
envs='"PATH=/"'
for e in "$@"; do envs="$envs,\"$e\""; done
printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/%s"],"Env":[%s],"User":"65532:65532"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"e2e/images/image-archive.sh"}]}' \
  "$path" "$envs" "$layer" >"$work/config.json"
config=$(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%d}]}' \
  "$config" "$(size "$work/config.json")" "$layer" "$(size "$work/layer.tar")" >"$work/manifest.json"
manifest=$(blob "$work/manifest.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest" "$(size "$work/manifest.json")" "$ref" "${ref##*:}" >"$work/oci/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
printf '[{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":["blobs/sha256/%s"]}]' \
  "$config" "$ref" "$layer" >"$work/oci/manifest.json"
tar -C "$work/oci" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out" .
