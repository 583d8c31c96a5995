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
# collectstatic needs settings but no secret or database of the real site.
RUN SECRET_KEY=collectstatic-only-build-time-key-000000000 DATABASE_URL=sqlite:////tmp/build.db \
    python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /data/media && chown -R zhijiao:zhijiao /data
USER zhijiao
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS -H "Host: localhost" http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "zhijiao.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
