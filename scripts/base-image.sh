#!/usr/bin/env bash
# A base image for the Dockerfile made from Debian's packages alone, for machines that can reach a
# Debian mirror but no container registry: debootstrap --variant=minbase bookworm with Python 3.11,
# imported into podman as a local image. Built only when missing or when this recipe changed, so a
# second run takes a second.
#   scripts/base-image.sh              # prints the image name (localhost/zhijiao-base:bookworm)
#   scripts/base-image.sh --rebuild    # build it again (e.g. monthly, for Debian's security updates)
# Environment:
#   ZHIJIAO_BASE_IMAGE   image name                      (default localhost/zhijiao-base:bookworm)
#   DEBIAN_MIRROR        mirror debootstrap downloads from (default http://deb.debian.org/debian)
# The image's own apt sources always name deb.debian.org (as the official python image does); the
# Dockerfile's APT_MIRROR build argument points them elsewhere for a build.
# Progress goes to stderr, the image name alone to stdout.
set -euo pipefail

image=${ZHIJIAO_BASE_IMAGE:-localhost/zhijiao-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# What the official python:3.11-slim-bookworm image also has: certificates, tzdata (Django's
# Asia/Shanghai), netbase; python3.11-venv for `python3.11 -m venv` with pip (its dependency
# python3.11-distutils is a virtual package, which debootstrap cannot resolve: python3-distutils).
packages=python3.11,python3.11-venv,python3-distutils,ca-certificates,tzdata,netbase
rebuild=0
[ "${1:-}" = --rebuild ] && rebuild=1

log() { echo "base-image: $*" >&2; }

# The recipe's fingerprint: a changed package list or suite makes a new image.
recipe=$(printf '%s\n' "$suite" "$packages" "v1" | sha256sum | cut -c1-16)

scripts_dir=$(cd "$(dirname "$0")" && pwd)
"$scripts_dir/image-deps.sh" podman debootstrap

if [ $rebuild = 0 ] && podman image exists "$image"; then
  have=$(podman image inspect --format '{{index .Labels "org.zhijiao.base-recipe"}}' "$image" 2>/dev/null || true)
  if [ "$have" = "$recipe" ]; then
    echo "$image"
    exit 0
  fi
  log "$image was made by another recipe ($have, now $recipe): building it again"
fi

[ "$(id -u)" = 0 ] || { log "debootstrap needs root: run  sudo $0"; exit 1; }

root=$(mktemp -d -t zhijiao-base.XXXXXX)
cleanup() { rm -rf --one-file-system "$root"; }
trap cleanup EXIT INT TERM

start=$(date +%s)
log "debootstrap --variant=minbase $suite from $mirror (about 2-3 minutes) …"
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" \
     >"$root.log" 2>&1; then
  tail -n 30 "$root.log" >&2
  log "debootstrap failed (full log: $root.log)"
  exit 1
fi
rm -f "$root.log"

# The same apt sources as the official image (deb822, with updates and security), naming
# deb.debian.org whatever mirror debootstrap used.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# Like Debian's own container images: no package caches, docs or man pages (nor those of packages
# installed later).
cat >"$root/etc/dpkg/dpkg.cfg.d/docker-excludes" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* \
       "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb \
       "$root/var/lib/apt/lists/"* "$root/var/log/"*.log "$root/var/log/apt/"* \
       "$root/tmp/"* "$root/root/.cache"
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
# Nothing of the build machine: debootstrap copies its resolv.conf and hostname.
: >"$root/etc/resolv.conf"
echo localhost >"$root/etc/hostname"

log "importing into podman as $image …"
tar --numeric-owner --xattrs -C "$root" -c . |
  podman import --quiet \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3.11"]' \
    --change "LABEL org.zhijiao.base-recipe=$recipe" \
    --change "LABEL org.opencontainers.image.description=Debian $suite minbase with Python 3.11 (scripts/base-image.sh)" \
    - "$image" >/dev/null
log "built $image in $(( $(date +%s) - start )) s, $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1e6}')"
echo "$image"
