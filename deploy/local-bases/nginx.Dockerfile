# Stand-in for nginx:1.28-alpine: Debian bookworm's nginx (1.22) and wget for the healthcheck.
# deploy/nginx.conf uses nothing newer than 1.22 reads.
FROM clearstone-local/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx-light wget \
    && rm -rf /var/lib/apt/lists/* \
    && ln -sf /dev/stderr /var/log/nginx/error.log
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
