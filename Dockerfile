FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ASMBOT_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY storage ./storage
RUN pip install . \
    && useradd --create-home --uid 10001 asmbot \
    && mkdir -p /data && chown asmbot:asmbot /data

USER asmbot
# Database (SQLite by default), evidence files and generated Anexo A live here.
VOLUME ["/data"]
CMD ["asmbot", "run"]
