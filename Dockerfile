# The bot for one municipality: `docker compose up -d` (compose.yaml) or `docker build -t asmbot .`
# Steps of the build (wheel, then install it alone) are repeated by tests/cli/test_imagen.py in a
# fresh virtual environment, where no container engine exists.

# Base image pinned to a patch release (Debian bookworm); update it deliberately.
FROM python:3.11.11-slim-bookworm AS construccion
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY storage ./storage
# Only the application's wheel: the Bot API double (botapi_double/) is a test tool, not shipped.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ASMBOT_DATA_DIR=/data \
    ASMBOT_SALUD_ESCUCHA=0.0.0.0:9090
COPY --from=construccion /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels \
    && mkdir -p /data && chown 10001:10001 /data
# A numeric uid, so Kubernetes' runAsNonRoot can check it without a passwd entry.
USER 10001:10001
WORKDIR /data
# Database (SQLite when DATABASE_URL is empty), evidence files, generated Anexo A, backups.
VOLUME ["/data"]
# 8443: webhook (ASMBOT_WEBHOOK_ESCUCHA), behind the reverse proxy; 9090: /healthz and /metrics.
EXPOSE 8443 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:9090/healthz', timeout=4)"]
# `asmbot run` creates or updates the schema itself (under a lock) before it starts.
CMD ["asmbot", "run"]
