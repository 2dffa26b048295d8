#!/usr/bin/env bash
# The operator image's base: a Java 17 runtime on Debian bookworm, made from Debian's packages
# with mmdebstrap (nothing is pulled from a registry), written as an image archive (the
# `docker save` format) that Jib reads as its base (quarkus.jib.base-jvm-image=tar://...).
#
#   build/base-image.sh [ARCHIVE]       default: ~/.cache/ramp/jre17-base.tar
#
# Cached, keyed by the content of this script and its helper (ARCHIVE.key): a second run is a no-op and editing
# the script rebuilds. The downloaded .debs stay beside ARCHIVE (debs/) for the next rebuild.
# Timestamps are fixed, so the same package versions give the same archive. Needs root and
# mmdebstrap.
set -euo pipefail

archive=${1:-$HOME/.cache/ramp/jre17-base.tar}
here=$(cd "$(dirname "$0")" && pwd)
key=$(cat "$here/base-image.sh" "$here/jks-fixed-dates.pl" | sha256sum | cut -c1-16)
if [ -s "$archive" ] && [ "$(cat "$archive.key" 2>/dev/null)" = "$key" ]; then
  exit 0
fi

cache=$(dirname "$archive")
debs=$cache/debs
# A new machine has no cache directory yet: make it before anything is written inside it.
mkdir -p "$debs"
work=$(mktemp -d "$cache/.base-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
echo "base-image: building $archive with mmdebstrap" >&2

# Manual pages are left out, but the JRE's update-alternatives wants man1 to exist.
# The .debs are offered again from $debs, so a rebuild downloads only what changed.
mmdebstrap --variant=minbase --mode=root --format=tar \
  --include=openjdk-17-jre-headless,ca-certificates \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --skip=essential/unlink --skip=download/empty \
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
  --setup-hook="sync-in $debs /var/cache/apt/archives" \
  --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
  --customize-hook="sync-out /var/cache/apt/archives $debs" \
  --customize-hook="perl $here/jks-fixed-dates.pl \"\$1\"/etc/ssl/certs/java/cacerts $SOURCE_DATE_EPOCH" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/cache/ldconfig/aux-cache "$1"/var/log/* "$1"/usr/share/man' \
  --customize-hook='echo "ramp:x:65532:65532:Ramp operator:/home/ramp:/usr/sbin/nologin" >> "$1"/etc/passwd' \
  --customize-hook='echo "ramp:x:65532:" >> "$1"/etc/group' \
  --customize-hook='install -d -o 65532 -g 65532 -m 0755 "$1"/home/ramp "$1"/work' \
  bookworm "$work/layer.tar" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"

# One layer, its config and the manifest that names them: what `docker save` writes.
diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"$created",
 "config":{"User":"65532:65532","WorkingDir":"/work",
  "Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"],
  "Labels":{"dev.ramp.base-key":"$key"}},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"$created","created_by":"build/base-image.sh (mmdebstrap)"}]}
JSON
cat > "$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["localhost/ramp/jre17-base:bookworm"],"Layers":["layer.tar"]}]
JSON
tar -C "$work" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -cf "$work/image.tar" manifest.json config.json layer.tar
mv "$work/image.tar" "$archive"
echo "$key" > "$archive.key"
