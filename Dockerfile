# Production image for the 职教通讯 CMS: gunicorn behind the school's reverse proxy, PostgreSQL via
# DATABASE_URL, static files served by whitenoise, CJK fonts for PDF export.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml ./
COPY zhijiao ./zhijiao
COPY issues ./issues
COPY articles ./articles
COPY communities ./communities
RUN python -m venv /venv && /venv/bin/pip install .

FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk fonts-noto-color-emoji curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --uid 10001 zhijiao
COPY --from=build /venv /venv
WORKDIR /app
COPY --chown=zhijiao:zhijiao . .
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=zhijiao.settings \
    MEDIA_ROOT=/data/media ZHIJIAO_VAR_DIR=/data
# collectstatic needs settings but no secret or database of the real site (the key only has to
# pass the settings' rule: 50+ characters, 5+ different ones).
RUN SECRET_KEY=collectstatic-only-build-time-key-not-a-secret-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.db \
    python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /data/media /run/zhijiao && chown -R zhijiao:zhijiao /data /run/zhijiao
USER zhijiao
# Where gunicorn listens. Loopback by default: only a proxy in the same network namespace reaches
# it. unix:/run/zhijiao/gunicorn.sock for a socket shared with the proxy (a volume on
# /run/zhijiao); 0.0.0.0:8000 when the proxy is another container, and then
# ZHIJIAO_TRUSTED_PROXIES must name the proxy's address (README, 部署 · Deployment).
ENV ZHIJIAO_BIND=127.0.0.1:8000
EXPOSE 8000
# Asks /healthz where gunicorn listens (a wildcard address is asked on loopback).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD \
  bind="$ZHIJIAO_BIND"; \
  case "$bind" in \
    unix:*) curl -fsS --unix-socket "${bind#unix:}" -H "Host: localhost" http://localhost/healthz ;; \
    *) host="${bind%:*}"; port="${bind##*:}"; \
       case "$host" in ""|0.0.0.0|"*") host=127.0.0.1 ;; "[::]") host="[::1]" ;; esac; \
       curl -fsS -H "Host: localhost" "http://$host:$port/healthz" ;; \
  esac || exit 1
CMD ["sh", "-c", "exec gunicorn zhijiao.wsgi:application --bind \"$ZHIJIAO_BIND\" --workers 3 --access-logfile -"]
