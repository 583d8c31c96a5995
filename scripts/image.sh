#!/usr/bin/env bash
# Build the production image with podman (what `make image` runs). Layers are cached: a second
# build with nothing changed takes seconds, a code change redoes only the last layers
# (collectstatic), a change to pyproject.toml reinstalls the dependencies from pip's cache.
#   scripts/image.sh
#   scripts/image.sh --ca-bundle    # prints the CA bundle a build would be given, builds nothing
# Environment (all optional):
#   ZHIJIAO_IMAGE   the tag to build                        (default localhost/zhijiao:latest)
#   BASE_IMAGE      the base image; unset: the local Debian base made by scripts/base-image.sh
#                   (no registry needed); e.g. docker.io/library/python:3.11-slim-bookworm
#   PIP_INDEX_URL   a PyPI mirror (default: pip's own index-url setting on this machine, if any)
#   PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST   passed to pip in the build likewise
#   APT_MIRROR, APT_SECURITY_MIRROR         a Debian mirror for the build (Dockerfile)
#   CA_BUNDLE       CAs the build trusts (a TLS-intercepting proxy), passed as a build secret and
#                   never stored in the image (default: the file pip on this machine trusts: PIP_CERT,
#                   then pip's `cert` setting, then none). CA_BUNDLE= (empty) passes none.
#   http_proxy, https_proxy, no_proxy       podman passes them to the build's RUN steps itself
set -euo pipefail
cd "$(dirname "$0")/.."

image=${ZHIJIAO_IMAGE:-localhost/zhijiao:latest}
log() { echo "image: $*" >&2; }

# pip's settings on this machine, as `pip config list` shows them (PIP_* variables first, then the
# pip.conf files): pip_setting cert → the CA file pip trusts, pip_setting index-url → its index.
pip_setting() {
  command -v python3 >/dev/null || return 0
  python3 -m pip config list 2>/dev/null | python3 -c '
import ast, sys
key, found = sys.argv[1], {}
for line in sys.stdin:
    name, _, value = line.rstrip("\n").partition("=")
    section, _, k = name.rpartition(".")
    if k == key and value:
        found.setdefault(section, ast.literal_eval(value))
for section in (":env:", "install", "global"):
    if section in found:
        print(found[section])
        break
' "$1" || true
}

args=()
index=${PIP_INDEX_URL-$(pip_setting index-url)}
# Only a mirror the build can reach: file:// indexes of this machine are not in the build.
case "$index" in http://*|https://*) args+=(--build-arg "PIP_INDEX_URL=$index") ;; esac
for v in PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST APT_MIRROR APT_SECURITY_MIRROR; do
  if [ -n "${!v:-}" ]; then args+=(--build-arg "$v=${!v}"); fi
done

if [ -n "${CA_BUNDLE+set}" ]; then
  ca=$CA_BUNDLE
else
  ca=$(pip_setting cert)
fi
if [ "${1:-}" = --ca-bundle ]; then  # what image-test.sh asks: the CA file a build is given
  echo "$ca"
  exit 0
fi
scripts/image-deps.sh podman
base=${BASE_IMAGE:-}
[ -n "$base" ] || base=$(scripts/base-image.sh)
args+=(--build-arg "BASE_IMAGE=$base")
if [ -n "$ca" ]; then
  [ -r "$ca" ] || { log "CA bundle $ca not readable"; exit 1; }
  args+=(--secret "id=ca_bundle,src=$ca")
fi

log "building $image from $base${index:+, pip index $index}${ca:+, trusting $ca}"
start=$(date +%s)
# chroot isolation: builds as root without a container runtime's namespaces (these machines have
# no working `podman run`); docker format: keeps HEALTHCHECK, which OCI images cannot hold.
podman build --isolation=chroot --format docker --layers \
  "${args[@]}" -t "$image" -f Dockerfile . >&2
size=$(podman image inspect --format '{{.Size}}' "$image")
log "built $image in $(( $(date +%s) - start )) s: $(( size / 1000000 )) MB"
