#!/usr/bin/env bash
# Build the production image (scripts/image.sh) and smoke-test it as production runs it: gunicorn from
# the image's own CMD, as the image's non-root user, DEBUG=0, a generated SECRET_KEY, the production
# security settings, against a real PostgreSQL 15 on loopback (scripts/with-postgres.sh). Then
# migrate, import a seed issue, and ask over HTTP for /healthz, the home page, an article, the
# registry CSV, an issue PDF (CJK fonts embedded) and static files (hashed, compressed), plus
# `check --deploy` and the image's HEALTHCHECK command.
#
# `podman run` does not work on every machine (not on these), so the container is made with
# `podman create`, its root file system mounted with `podman mount`, and every command of the test
# runs in it with chroot, in private mount and PID namespaces (/proc, /dev and the seeds bound in,
# all gone with its last process), on this machine's loopback network. Nothing listens beyond
# 127.0.0.1.
#   scripts/image-test.sh
#   scripts/image-test.sh --if-podman   # what `make test` runs: one line and success where podman
#                                       # is missing or we are not root, else the same test
# Environment: ZHIJIAO_IMAGE (default localhost/zhijiao:latest), ZHIJIAO_SEEDS (../shared/seeds),
# IMAGE_TEST_SKIP_BUILD=1 to test the image as it is, ZHIJIAO_IMAGE_MAX_MB (700: the size checked);
# the build's variables (scripts/image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

image=${ZHIJIAO_IMAGE:-localhost/zhijiao:latest}
seeds=${ZHIJIAO_SEEDS:-../shared/seeds}
log() { echo "image-test: $*" >&2; }

if [ "${1:-}" = --if-podman ]; then
  if ! command -v podman >/dev/null; then
    echo "image-test skipped: podman is not installed (apt-get install podman uidmap debootstrap)"
    exit 0
  elif [ "$(id -u)" != 0 ]; then
    echo "image-test skipped: it needs root (podman mount, chroot): sudo scripts/image-test.sh"
    exit 0
  fi
  shift
fi
if [ "${1:-}" != --with-postgres ]; then
  [ "$(id -u)" = 0 ] || { log "needs root (podman mount, chroot): run  sudo $0"; exit 1; }
  export IMAGE_TEST_START=${IMAGE_TEST_START:-$(date +%s)}
  scripts/image-deps.sh podman poppler
  scripts/system-deps.sh postgres
  if [ "${IMAGE_TEST_SKIP_BUILD:-0}" != 1 ]; then
    # The build's own lines only when it fails (`make image` shows them all).
    build_start=$(date +%s)
    build_log=$(mktemp -t zhijiao-image-build.XXXXXX)
    if ! scripts/image.sh >"$build_log" 2>&1; then
      tail -n 40 "$build_log"
      log "the build failed (its whole log: $build_log)"
      exit 1
    fi
    grep -E '^(base-)?image: ' "$build_log" || true
    rm -f "$build_log"
    export IMAGE_TEST_BUILD_SECONDS=$(( $(date +%s) - build_start ))
  fi
  exec scripts/with-postgres.sh "$0" --with-postgres
fi

# ---- From here on DATABASE_URL names the throwaway PostgreSQL server. ----------------------------
seed=$(ls "$seeds"/000_*.txt 2>/dev/null | head -n 1 || true)
[ -n "$seed" ] || { log "no seed issue 000_*.txt in $seeds (ZHIJIAO_SEEDS)"; exit 1; }
seeds=$(cd "$(dirname "$seed")" && pwd)

tmp=$(mktemp -d -t zhijiao-image-test.XXXXXX)
passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
# check WHAT CMD…: one line saying whether CMD succeeded (with its time when it took a while), then
# what it printed, indented.
check() {
  local what=$1 t0=$EPOCHREALTIME status=0 took
  shift
  "$@" >"$tmp/check.out" 2>&1 || status=$?
  took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { if (b - a >= 0.5) printf " (%.1f s)", b - a }')
  if [ $status = 0 ]; then ok "$what$took"; else fail "$what$took"; fi
  cat "$tmp/check.out"
}

name="zhijiao-image-test-$$"
server_pid=
root=
cleanup() {
  set +e
  if [ -n "$server_pid" ]; then
    # gunicorn's master is the first process of the server's PID namespace: INT is its quick
    # shutdown; should it hang, KILL ends it and, with it, every process in that namespace.
    master=$(pgrep -P "$server_pid")
    [ -n "$master" ] && kill -INT "$master"
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    [ -n "$master" ] && kill -KILL "$master" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  [ -n "$root" ] && podman umount "$name" >/dev/null 2>&1
  podman rm -f -v "$name" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

podman create --name "$name" "$image" >/dev/null
root=$(podman mount "$name")

# The image's configuration, as bash arrays: its environment, CMD, HEALTHCHECK, user, work dir.
podman image inspect "$image" >"$tmp/inspect.json"
python3 - "$tmp/inspect.json" >"$tmp/config.sh" <<'EOF'
import json, shlex, sys
d = json.load(open(sys.argv[1]))[0]
c = d["Config"]
q = lambda xs: " ".join(shlex.quote(x) for x in xs)
print(f"image_env=({q(c.get('Env') or [])})")
print(f"image_cmd=({q((c.get('Entrypoint') or []) + (c.get('Cmd') or []))})")
print(f"image_user={shlex.quote(c.get('User') or '')}")
print(f"image_workdir={shlex.quote(c.get('WorkingDir') or '/')}")
print(f"image_health=({q((d.get('Healthcheck') or {}).get('Test') or [])})")
print(f"image_manifest={shlex.quote(d.get('ManifestType') or '')}")
print(f"image_size={int(d.get('Size') or 0)}")
EOF
# shellcheck disable=SC1091
. "$tmp/config.sh"

# The user as the image's own /etc/passwd knows it (a name, or uid[:gid]).
user=${image_user%%:*}
passwd_line=$(awk -F: -v u="$user" '$1 == u || $3 == u' "$root/etc/passwd" | head -n 1)
uid=$(echo "$passwd_line" | cut -d: -f3)
gid=$(echo "$passwd_line" | cut -d: -f4)
home=$(echo "$passwd_line" | cut -d: -f6)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret_key=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
# Production as the README's deployment section has it: TLS ends at a proxy on loopback.
app_env=(
  "HOME=${home:-/}" DEBUG=0 "SECRET_KEY=$secret_key" "DATABASE_URL=$DATABASE_URL"
  ALLOWED_HOSTS=localhost,127.0.0.1 "ZHIJIAO_BIND=127.0.0.1:$port"
  ZHIJIAO_BEHIND_PROXY=1 ZHIJIAO_HSTS=1 SECURE_SSL_REDIRECT=1
)

mkdir -p "$root/seeds"
# in_image CMD ARGS…: run a command in the image's file system, as its user, in its work dir, with
# its environment plus app_env (nothing of this machine's environment), in its own mount and PID
# namespaces: its mounts go when it ends, and when its first process ends the kernel ends the rest.
# `in_image_exec=exec in_image …` replaces the calling (sub)shell.
in_image() {
  ${in_image_exec:-} env -i "${image_env[@]}" "${app_env[@]}" \
    unshare --mount --propagation private --pid --fork --kill-child -- /bin/sh -c '
      root=$1 seeds=$2 ids=$3 workdir=$4; shift 4
      mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" &&
      mount --bind "$seeds" "$root/seeds" && mount -o remount,bind,ro "$root/seeds" || exit 125
      exec chroot --userspec="$ids" --groups="${ids#*:}" "$root" \
        /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$workdir" "$@"
    ' sh "$root" "$seeds" "$uid:$gid" "$image_workdir" "$@"
}
healthcheck() {
  case "${image_health[0]:-}" in
    CMD) in_image "${image_health[@]:1}" ;;
    CMD-SHELL) in_image /bin/sh -c "${image_health[1]}" ;;
    *) echo "no HEALTHCHECK in the image" >&2; return 1 ;;
  esac
}
run_logged() {  # run_logged LOG CMD…: quiet unless it fails
  local out=$1; shift
  if "$@" >"$out" 2>&1; then return 0; fi
  sed 's/^/    /' "$out" | tail -n 25; return 1
}

echo "image-test: $image ($((image_size / 1000000)) MB) on PostgreSQL at ${DATABASE_URL#*@}, gunicorn on 127.0.0.1:$port"

# ---- The image itself ------------------------------------------------------------------------------
check "docker image format, with the HEALTHCHECK kept: ${image_health[*]:1}" \
  test "$image_manifest" = application/vnd.docker.distribution.manifest.v2+json -a "${#image_health[@]}" -gt 1
check "runs as a non-root user: $image_user (uid $uid)" test -n "$uid" -a "$uid" != 0
no_build_tools() {
  local found=() tool d
  for tool in gcc cc c++ g++ make ld as cpp pip pip3 pip3.11; do
    for d in usr/bin usr/local/bin bin venv/bin; do
      [ -e "$root/$d/$tool" ] && found+=("/$d/$tool")
    done
  done
  for d in venv/lib/python3.11/site-packages/pip usr/local/lib/python3.11/site-packages/pip; do
    [ -e "$root/$d" ] && found+=("/$d")
  done
  [ ${#found[@]} -eq 0 ] || { echo "    found: ${found[*]}"; return 1; }
}
check "no compilers, make or pip in the image" no_build_tools
no_caches() {
  local found
  found=$(find "$root" -xdev \( -path "$root/proc" -o -path "$root/seeds" \) -prune -o \
    \( -type d \( -name .cache -o -path '*/var/cache/apt/archives' \) -print \) 2>/dev/null |
    while read -r d; do [ -n "$(ls -A "$d" 2>/dev/null | grep -v '^partial$\|^lock$')" ] && echo "${d#"$root"}"; done)
  [ -z "$found" ] || { echo "    not empty: $found"; return 1; }
  [ -z "$(ls -A "$root/var/lib/apt/lists" 2>/dev/null | grep -v '^partial$\|^lock$\|^auxfiles$')" ] ||
    { echo "    /var/lib/apt/lists not empty"; return 1; }
}
check "no pip or apt caches in the image" no_caches
no_ca_secret() {
  local ca
  ca=$(scripts/image.sh --ca-bundle)
  [ ! -e "$root/run/secrets/ca_bundle" ] || { echo "    /run/secrets/ca_bundle is in the image"; return 1; }
  [ -n "$ca" ] && [ -r "$ca" ] || return 0
  local size copies
  size=$(stat -c %s "$ca")
  copies=$(find "$root" -xdev -path "$root/proc" -prune -o -type f -size "${size}c" -print 2>/dev/null |
    while read -r f; do cmp -s "$f" "$ca" && echo "${f#"$root"}"; done)
  [ -z "$copies" ] || { echo "    the build's CA bundle $ca is in the image as: $copies"; return 1; }
}
check "the build's CA bundle (a build secret) is nowhere in the image" no_ca_secret

size_ok() {
  local max=${ZHIJIAO_IMAGE_MAX_MB:-700}
  echo "    $((image_size / 1000000)) MB uncompressed (podman images); a guard against growth: at most $max MB"
  [ $((image_size / 1000000)) -le "$max" ]
}
check "image size" size_ok

# ---- The application in it -------------------------------------------------------------------------
check "migrate (DEBUG=0, PostgreSQL)" run_logged "$tmp/migrate.log" \
  in_image python manage.py migrate --noinput
import_seed() {
  run_logged "$tmp/import.log" in_image python manage.py import_issue "/seeds/$(basename "$seed")" --publish &&
    sed -n '1,3s/^/    /p' "$tmp/import.log"
}
check "import_issue /seeds/$(basename "$seed") --publish" import_seed
deploy_check() {
  run_logged "$tmp/deploy.log" in_image python manage.py check --deploy --fail-level WARNING &&
    grep -q 'no issues' "$tmp/deploy.log" && sed 's/^/    /' "$tmp/deploy.log"
}
check "manage.py check --deploy --fail-level WARNING: no issues" deploy_check

# gunicorn exactly as the image's CMD starts it.
in_image_exec=exec in_image "${image_cmd[@]}" >"$tmp/gunicorn.log" 2>&1 &
server_pid=$!
wait_healthy() {
  local deadline=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -lt $deadline ]; do
    kill -0 "$server_pid" 2>/dev/null || { echo "    gunicorn exited:"; sed 's/^/    /' "$tmp/gunicorn.log" | tail -n 20; return 1; }
    if healthcheck >"$tmp/health.log" 2>&1; then sed 's/^/    /' "$tmp/health.log"; return 0; fi
    sleep 0.5
  done
  echo "    not healthy after 60 s:"; sed 's/^/    /' "$tmp/health.log" "$tmp/gunicorn.log" | tail -n 20; return 1
}
check "gunicorn from the image's CMD: the image's HEALTHCHECK command says healthy" wait_healthy
server_uid() {
  local master uids
  master=$(pgrep -P "$server_pid")
  uids=$( { echo "$master"; pgrep -P "$master"; } | while read -r p; do
    awk '/^Uid:/ {print $2}' "/proc/$p/status"; done | sort -u | tr '\n' ' ')
  echo "    gunicorn master (pid $master) and $(pgrep -c -P "$master") workers run as uid $uids"
  [ "$uids" = "$uid " ]
}
check "gunicorn master and workers run as the image's user, not root" server_uid

# ---- Over HTTP, as the reverse proxy would ask -----------------------------------------------------
python3 scripts/image_checks.py "http://127.0.0.1:$port" "$tmp" >"$tmp/http.log" 2>&1 || true
cat "$tmp/http.log"
passed=$((passed + $(grep -c '^ok ' "$tmp/http.log" || true)))
failed=$((failed + $(grep -c '^FAIL ' "$tmp/http.log" || true)))
grep -q '^ok \|^FAIL ' "$tmp/http.log" || fail "HTTP checks did not run"

check "still healthy after the requests (HEALTHCHECK)" run_logged "$tmp/health2.log" healthcheck
if [ "$failed" -gt 0 ]; then
  echo "    gunicorn's log (last lines):"; tail -n 15 "$tmp/gunicorn.log" | sed 's/^/    /'
fi

total=$(( $(date +%s) - ${IMAGE_TEST_START:-$(date +%s)} ))
echo "image-test: image $((image_size / 1000000)) MB; build ${IMAGE_TEST_BUILD_SECONDS:-skipped} s; whole test ${total} s"
echo "image-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
