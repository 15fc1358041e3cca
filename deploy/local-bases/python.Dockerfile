# Stand-in for python:3.11-slim-bookworm: Debian bookworm's Python 3.11, pip and venv, with
# `python` on PATH as in the official image, and the build machine's extra CA certificates
# (build.sh copies them into extra-ca/) so that pip reaches the package index as the host does.
FROM clearstone-local/debian:bookworm
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python3-pip ca-certificates \
    && update-ca-certificates \
    && ln -s /usr/bin/python3 /usr/local/bin/python \
    && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
