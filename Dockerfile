# Production image for the 职教通讯 CMS: gunicorn behind the school's reverse proxy, PostgreSQL via
# DATABASE_URL, static files served by whitenoise, CJK fonts for PDF export.
#
# Build (README, 部署 · Deployment, says how behind a package mirror and a TLS-intercepting proxy):
#   docker build -t zhijiao .
#   podman build --format docker -t zhijiao .      # docker format: OCI has no HEALTHCHECK
#   scripts/image.sh                                # `make image`: podman, a base made by debootstrap
# Build arguments, all optional:
#   BASE_IMAGE           a Debian bookworm image with python3.11 (default: the official one below;
#                        scripts/base-image.sh makes one from Debian's packages alone)
#   PIP_INDEX_URL        a PyPI mirror, e.g. https://mirrors.example.edu.cn/pypi/simple
#   PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST   likewise passed to pip
#   APT_MIRROR           a Debian mirror, e.g. http://mirrors.example.edu.cn/debian
#   APT_SECURITY_MIRROR  its debian-security (default: APT_MIRROR with /debian → /debian-security)
# Build secret, optional: ca_bundle, a PEM file of the CAs to trust (a proxy that re-signs TLS),
# used by pip and apt during the build and never stored in the image:
#   --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt

ARG BASE_IMAGE=python:3.11-slim-bookworm

# --- The virtualenv: the dependencies in pyproject.toml, so that a code change reuses this layer --
FROM ${BASE_IMAGE} AS build
ARG PIP_INDEX_URL=
ARG PIP_EXTRA_INDEX_URL=
ARG PIP_TRUSTED_HOST=
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_PREFER_BINARY=1 LANG=C.UTF-8
COPY pyproject.toml /tmp/pyproject.toml
# The wheels are kept in a build cache mount (never in the image): when pyproject.toml changes,
# pip downloads only the wheels it has not got (pip's own HTTP cache depends on the index's cache
# headers, which proxies strip). No pip or setuptools in the image, nor the packages' own test
# suites, type stubs and .po sources.
RUN --mount=type=secret,id=ca_bundle \
    --mount=type=cache,target=/var/cache/zhijiao-wheels \
    set -eu; \
    for v in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST; do \
      eval "[ -n \"\${$v:-}\" ]" || unset "$v"; \
    done; \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi; \
    python3.11 -m venv /venv; \
    python3.11 -c 'import sys, tomllib; \
print("\n".join(tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]))' \
      /tmp/pyproject.toml >/tmp/requirements.txt; \
    /venv/bin/pip download -q --no-cache-dir --dest /var/cache/zhijiao-wheels -r /tmp/requirements.txt; \
    /venv/bin/pip install -q --no-cache-dir --no-index --find-links /var/cache/zhijiao-wheels \
      -r /tmp/requirements.txt; \
    /venv/bin/pip uninstall -q -y pip setuptools; \
    find /venv/lib -type d -name tests -prune -exec rm -rf {} +; \
    find /venv/lib -type f \( -name '*.pyi' -o -name '*.po' \) -delete

# --- The image ------------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
ARG APT_MIRROR=
ARG APT_SECURITY_MIRROR=
# Fonts for the PDFs (Noto CJK serif and sans; colour emoji). A mirror given replaces
# deb.debian.org for this step only: the image keeps Debian's own sources. With a CA bundle, apt's
# downloads run as root (not as _apt), since only root may read the secret. The official python
# image's own pip goes too (Debian's python3.11 has none): the image installs nothing at run time.
RUN --mount=type=secret,id=ca_bundle \
    set -eu; \
    cp -a /etc/apt /tmp/apt.orig; \
    if [ -n "${APT_MIRROR:-}" ]; then \
      security="${APT_SECURITY_MIRROR:-${APT_MIRROR%/debian}/debian-security}"; \
      for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do \
        [ -f "$f" ] || continue; \
        sed -i -e "s#https\?://\(deb\|security\)\.debian\.org/debian-security#$security#g" \
               -e "s#https\?://deb\.debian\.org/debian#$APT_MIRROR#g" "$f"; \
      done; \
    fi; \
    ca=""; \
    if [ -s /run/secrets/ca_bundle ]; then \
      ca="-o Acquire::https::CAInfo=/run/secrets/ca_bundle -o APT::Sandbox::User=root"; \
    fi; \
    apt-get $ca update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get $ca install -y -qq --no-install-recommends \
      fonts-noto-cjk fonts-noto-color-emoji >/dev/null; \
    rm -rf /etc/apt && mv /tmp/apt.orig /etc/apt; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt/* /var/log/dpkg.log; \
    if python3.11 -m pip --version >/dev/null 2>&1; then \
      python3.11 -m pip uninstall -q -y pip setuptools wheel; \
    fi; \
    useradd --no-log-init --user-group --create-home --home-dir /home/zhijiao --uid 10001 zhijiao

COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH LANG=C.UTF-8 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=zhijiao.settings MEDIA_ROOT=/data/media ZHIJIAO_VAR_DIR=/data
WORKDIR /app
# The code belongs to root: the site's user reads it and writes only /data (media, PDFs).
COPY . .
# collectstatic needs settings but no secret or database of the real site (the key only has to
# pass the settings' rule: 50+ characters, 5+ different ones).
RUN SECRET_KEY=collectstatic-only-build-time-key-not-a-secret-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.db \
    python manage.py collectstatic --noinput -v 0 \
 && python -m compileall -q -j 0 -x '/(staticfiles|static|templates)/' /app \
 && rm -f /tmp/build.db \
 && mkdir -p /data/media /run/zhijiao && chown -R zhijiao:zhijiao /data /run/zhijiao
USER zhijiao
# Where gunicorn listens. Loopback by default: only a proxy in the same network namespace reaches
# it. unix:/run/zhijiao/gunicorn.sock for a socket shared with the proxy (a volume on
# /run/zhijiao); 0.0.0.0:8000 when the proxy is another container, and then
# ZHIJIAO_TRUSTED_PROXIES must name the proxy's address (README, 部署 · Deployment).
ENV ZHIJIAO_BIND=127.0.0.1:8000
EXPOSE 8000
# Asks /healthz where gunicorn listens (scripts/healthcheck.py). Kept by the docker image format;
# podman's default OCI format drops it (build with --format docker).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/venv/bin/python", "/app/scripts/healthcheck.py"]
CMD ["sh", "-c", "exec gunicorn zhijiao.wsgi:application --bind \"$ZHIJIAO_BIND\" --workers 3 --access-logfile -"]
