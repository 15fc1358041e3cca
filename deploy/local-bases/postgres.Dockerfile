# Stand-in for postgres:15-bookworm: Debian bookworm's PostgreSQL 15 and an entrypoint that
# honours POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB on first start, like the official one.
FROM clearstone-local/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH="/usr/lib/postgresql/15/bin:${PATH}" PGDATA=/var/lib/postgresql/data
USER postgres
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
