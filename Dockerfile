# bc-gateway: the gateway (and, with another command, the BC sandbox) in a slim image.
#   docker build -t bc-gateway .
#   docker run -p 8000:8000 -e BC_TENANT_ID=… bc-gateway        (README: configuration)
# Two stages: the first installs the project into a virtual environment, the second copies only
# that environment onto a fresh slim base — no compiler, no pip cache, no dev dependencies.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/bc-gateway
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
RUN /opt/bc-gateway/bin/pip install .

FROM python:3.11-slim-bookworm
COPY --from=build /opt/bc-gateway /opt/bc-gateway
# An unprivileged user with a home for development mode's data (GATEWAY_DATA_DIR, relative).
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/gateway gateway
ENV PATH=/opt/bc-gateway/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8000
USER gateway
WORKDIR /home/gateway
EXPOSE 8000
# Liveness of `serve` where this environment makes it listen (https when it terminates TLS).
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 CMD ["bc-gateway", "healthcheck"]
# `serve` runs the app factory's settings code with uvicorn on a socket it binds first, with its
# proxy-header handling off (X-Forwarded-* only from GATEWAY_TRUSTED_PROXIES); on SIGTERM it
# turns /readyz to 503, drains, finishes what is in flight and exits (GATEWAY_SHUTDOWN_*).
STOPSIGNAL SIGTERM
CMD ["bc-gateway", "serve"]
