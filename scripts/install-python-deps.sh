#!/bin/sh
# Install the project and its dev dependencies into the virtualenv $1 (created if missing).
#
# With uv (pinned, itself installed by pip): it resolves and installs the same pinned versions as
# pip, in seconds instead of minutes, which is most of what a fresh clone's `make test` used to
# spend before the first test. uv reads no pip configuration, so pip's settings of this machine
# (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_CERT) are handed on. When uv cannot be had or fails, pip does
# the install as before.
set -eu
venv=$1
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip() { "$venv/bin/python" -m pip -q --disable-pip-version-check "$@"; }

if pip install uv==0.13.9 2>/dev/null; then
  [ -n "${PIP_INDEX_URL:-}" ] && export UV_INDEX_URL="${UV_INDEX_URL:-$PIP_INDEX_URL}"
  [ -n "${PIP_FIND_LINKS:-}" ] && export UV_FIND_LINKS="${UV_FIND_LINKS:-$PIP_FIND_LINKS}"
  [ -n "${PIP_CERT:-}" ] && export SSL_CERT_FILE="${SSL_CERT_FILE:-$PIP_CERT}"
  if "$venv/bin/uv" pip install -q --python "$venv/bin/python" -e '.[dev]'; then
    exit 0
  fi
  echo "uv could not install the dependencies; trying pip" >&2
fi
pip install --upgrade pip
pip install -e '.[dev]'
