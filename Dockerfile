# ticketsmith's image: the wheel is built in the first stage and installed, with its dependencies, into a
# virtualenv of the second. The config is mounted at /etc/ticketsmith, the database lives in the /data volume.
# See compose.yaml and README.md ("For operators").
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.11-slim
ENV PATH=/opt/ticketsmith/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /dist /tmp/dist
RUN python -m venv /opt/ticketsmith \
    && /opt/ticketsmith/bin/pip install --no-cache-dir /tmp/dist/*.whl \
    && rm -rf /tmp/dist \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin \
        ticketsmith \
    && install -d -o ticketsmith -g ticketsmith -m 0750 /data \
    && install -d -m 0755 /etc/ticketsmith
# A new data volume starts with the example forms; publish your own from the admin page or Telegram, where
# the bot also rewrites this file (so it must be in the writable volume, not in the read-only config).
COPY --chown=ticketsmith:ticketsmith templates.example.yaml /data/templates.yaml
USER ticketsmith
WORKDIR /data
VOLUME ["/data"]
# server.port in the config: Telegram's and Jira's webhooks, /healthz and the admin page.
EXPOSE 8080
# The bot takes no new updates, finishes the ones in progress and closes the database.
STOPSIGNAL SIGTERM
# The slim image has no curl: Python's standard library asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["ticketsmith"]
CMD ["run", "--config", "/etc/ticketsmith/config.yaml"]
