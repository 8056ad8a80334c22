# The grading service: CPU Torch by default. For a GPU host, build with
#   --build-arg BASE=nvidia/cuda:12.4.1-runtime-ubuntu22.04 --build-arg TORCH_INDEX=<a CUDA wheel index>
# (a CUDA base needs python3.11 and pip installed the same way).
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

# bubblewrap is the sandbox and tini the init; nothing else from the system is needed at run time.
# Not version-pinned: the base image's Debian release fixes it, and pins there go stale.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap tini \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Torch first, from the CPU index unless told otherwise: a bare requirement pulls CUDA wheels
RUN pip install --no-cache-dir --index-url "${TORCH_INDEX}" "torch==${TORCH_VERSION}"
COPY pyproject.toml README.md ./
COPY judge ./judge
COPY reference ./reference
COPY api ./api
COPY problems ./problems
# the project itself, with the PostgreSQL driver for scale-out (compose.yaml); its own ranges pin the rest
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[postgres]"

# a non-root user runs the service; bubblewrap then needs unprivileged user namespaces
RUN useradd --create-home --uid 10001 judge && mkdir -p /data && chown judge /data
USER 10001
ENV JUDGE_DATA_DIR=/data \
    JUDGE_PROBLEMS_DIR=/app/problems
EXPOSE 8000
# tini as PID 1 forwards signals (docker stop) and reaps any orphan
ENTRYPOINT ["tini", "--"]
CMD ["judge", "serve", "--host", "0.0.0.0", "--port", "8000"]
