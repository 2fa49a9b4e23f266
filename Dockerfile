# syntax=docker/dockerfile:1
# Viva: a multi-stage image. The build stage makes a wheel; the runtime stage
# installs CPU-only torch, the wheel (with its bundled bank, prompts and pages)
# and runs as an unprivileged user. Configure it only through VIVA_* variables.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY rubrics ./rubrics
COPY prompts ./prompts
COPY web ./web
RUN pip install --no-cache-dir build==1.2.2 && python -m build --wheel --outdir /dist

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    VIVA_HOST=0.0.0.0 \
    VIVA_PORT=8000 \
    VIVA_DATA_DIR=/data
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl \
    && useradd --create-home --uid 10001 viva \
    && mkdir -p /data && chown viva:viva /data
USER viva
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request, os; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('VIVA_PORT', '8000')}/healthz\", timeout=4)"]
CMD ["viva", "serve"]
