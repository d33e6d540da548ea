# mockcrm as a CI service container: a mock SalesMan CRM on port 8080.
#   docker build -t mockcrm .
#   docker run --rm -p 8080:8080 mockcrm
# Every setting is a MOCKCRM_* variable (see README); service containers cannot mount files.
ARG PYTHON_IMAGE=python:3.12-slim

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mockcrm ./mockcrm
COPY fixtures ./fixtures
# build the wheel and the wheels it needs; the runtime image installs only these
RUN python -m pip wheel --no-cache-dir --quiet --wheel-dir /wheels ".[server]"

FROM ${PYTHON_IMAGE}
COPY --from=build /wheels /tmp/wheels
RUN python -m venv /opt/mockcrm \
    && /opt/mockcrm/bin/pip install --no-cache-dir --quiet --no-index --find-links=/tmp/wheels "mockcrm[server]" \
    && rm -rf /tmp/wheels \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mockcrm
USER mockcrm
ENV PATH=/opt/mockcrm/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MOCKCRM_HOST=0.0.0.0 \
    MOCKCRM_PORT=8080 \
    MOCKCRM_SERVER=waitress
EXPOSE 8080
# standard library only; honours a changed MOCKCRM_PORT
HEALTHCHECK --interval=1s --timeout=2s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ.get('MOCKCRM_PORT', '8080') + '/__mockcrm/health', timeout=2).read()"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["mockcrm", "serve"]
