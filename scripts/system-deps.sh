#!/usr/bin/env bash
# Make sure the Debian packages the project needs are present: install them when we can (root with
# apt-get), otherwise say exactly what to install and fail.
#   scripts/system-deps.sh fonts            CJK fonts for PDFs
#   scripts/system-deps.sh fonts postgres   … and a PostgreSQL 15 server for the tests
#   scripts/system-deps.sh fonts postgres chromium
#   scripts/system-deps.sh npm              node and npm, for axe-core in the browser tests
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    fonts)    ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
              # Emoji in article text print in PDFs with this font, as empty boxes without it.
              ls /usr/share/fonts/truetype/noto/NotoColorEmoji* >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji) ;;
    postgres) [ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15) ;;
    # The browser tests' Chromium: Debian's headless shell build (tests/browser/conftest.py).
    chromium) [ -x /usr/bin/chromium-headless-shell ] || missing+=(chromium-headless-shell) ;;
    npm)      command -v npm >/dev/null || missing+=(npm) ;;
    *) echo "system-deps.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A stale package list is the usual cause of "Unable to locate package": refresh once, quietly.
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "缺少系统软件包 / missing Debian packages: ${missing[*]}" >&2
  echo "请安装 / install them with:  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
