# scicatlive/python: Debian's python3 with a virtualenv that service images
# install their wheelhouse into. Built from the debootstrapped base.
ARG BASE_IMAGE=scicatlive/base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv ca-certificates curl tini \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/venv \
 && /opt/venv/bin/pip --version \
 && useradd --system --uid 10001 --create-home --home-dir /home/app app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_INDEX=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
ENTRYPOINT ["tini", "--"]
