#!/usr/bin/env bash
# Run a command beside a throwaway S3-protocol server: moto in server mode (moto[server], a dev
# dependency, in memory) listening on loopback only (a free port), with one bucket created, then
# stop it — also when the command fails. Exits with the command's status.
#   scripts/with-s3.sh .venv/bin/pytest
#   scripts/with-postgres.sh scripts/with-s3.sh .venv/bin/pytest      # both services
#
# Exports ZHIJIAO_TEST_STORAGE_URL=s3+http://KEY:SECRET@127.0.0.1:PORT/BUCKET, in the form of
# ZHIJIAO_STORAGE_URL: the object-storage tests and `bench/load.py --nodes 2` use it. It is not
# ZHIJIAO_STORAGE_URL itself, which would move every test's files into the bucket.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python=${ZHIJIAO_PYTHON:-$root/.venv/bin/python}
moto=${MOTO_SERVER:-$(dirname "$python")/moto_server}
[ -x "$moto" ] || { echo "moto_server not found at $moto (.venv/bin/pip install -e '.[dev]')" >&2; exit 1; }

bucket=${ZHIJIAO_TEST_BUCKET:-zhijiao-test}
key=zhijiao-test
secret=zhijiao-test-secret
dir=$(mktemp -d -t zhijiao-s3.XXXXXX)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Its own session, so that a Ctrl-C at the terminal reaches it only through cleanup.
setsid "$moto" -H 127.0.0.1 -p "$port" >"$dir/server.log" 2>&1 &
pid=$!

# Ready when it answers; then the bucket (the server starts empty).
if ! "$python" - "$port" "$bucket" "$key" "$secret" <<'PY'; then
import sys, time
import boto3
from botocore.config import Config

port, bucket, key, secret = sys.argv[1:]
s3 = boto3.client(
    "s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
    aws_access_key_id=key, aws_secret_access_key=secret,
    config=Config(request_checksum_calculation="when_required",
                  response_checksum_validation="when_required",
                  connect_timeout=1, retries={"max_attempts": 1}),
)
deadline = time.monotonic() + 30
while True:
    try:
        s3.create_bucket(Bucket=bucket)
        break
    except Exception:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.1)
PY
  cat "$dir/server.log" >&2
  exit 1
fi

export ZHIJIAO_TEST_STORAGE_URL="s3+http://$key:$secret@127.0.0.1:$port/$bucket"
echo "S3 (moto $("$python" -c 'import moto; print(moto.__version__)')) on 127.0.0.1:$port, bucket $bucket"
set +e
"$@"
status=$?
set -e
exit $status
