#!/usr/bin/env bash
# The Debian packages that building and testing the container image needs: installed when we can
# (root with apt-get), otherwise the exact apt-get line is printed and we fail.
#   scripts/image-deps.sh podman debootstrap poppler
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    # podman pulls buildah's library, crun, conmon and containers-common; uidmap for its user
    # namespaces. As root, overlay storage works natively, so fuse-overlayfs is not needed.
    podman)      command -v podman >/dev/null || missing+=(podman uidmap) ;;
    debootstrap) command -v debootstrap >/dev/null || missing+=(debootstrap) ;;
    poppler)     command -v pdffonts >/dev/null || missing+=(poppler-utils) ;;
    curl)        command -v curl >/dev/null || missing+=(curl) ;;
    *) echo "image-deps.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "缺少系统软件包 / missing Debian packages: ${missing[*]}" >&2
  echo "请安装 / install them with:  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
