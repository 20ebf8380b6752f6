# The local stack's image for docker-compose.yaml: the repository and its locked Python
# environment (the same pins as `make setup`), to run the local AWS server
# (infra/local/server.py) and the one-shot stack-init (infra/mwaa/compose_init.py).
# Glue Python shell runs execute with this image's Python, the runner wheel on the path.
# Build context: the repository, limited to what this image runs by its .dockerignore
# (read by every builder, the classic one included).
FROM python:3.12-slim-bookworm

# PyGreSQL compiles against libpq.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.9

ENV UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1
WORKDIR /opt/etlkit
COPY . .
RUN uv sync --locked --python /usr/local/bin/python3.12
