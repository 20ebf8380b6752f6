# The Airflow image of docker-compose.yaml, standing in for Amazon MWAA's (which is built
# from aws/amazon-mwaa-docker-images and not published): Python 3.12, every Python
# distribution of MWAA's Airflow 3.3.1 image at its version (mwaa-image-3.3.1.txt, read
# from that image's bill of materials, the list `make package` and its tests use),
# AIRFLOW_HOME /usr/local/airflow owned by the user airflow, and an entrypoint that starts
# each component the way MWAA's does (compose/mwaa-entrypoint.sh).
# Build context: infra/mwaa, limited by infra/mwaa/.dockerignore (read by every builder).
FROM python:3.12-slim-bookworm

COPY mwaa-image-3.3.1.txt /tmp/mwaa-image.txt
# psycopg2 compiles against libpq, as in MWAA's image; the compiler leaves afterwards.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev libpq5 \
 && pip install --no-cache-dir --disable-pip-version-check "pip==26.3" \
 && pip install --no-cache-dir --disable-pip-version-check -r /tmp/mwaa-image.txt \
 && apt-get purge -y --auto-remove gcc libpq-dev \
 && rm -rf /var/lib/apt/lists/* /tmp/mwaa-image.txt

ENV AIRFLOW_HOME=/usr/local/airflow \
    PATH=/usr/local/airflow/.local/bin:$PATH \
    PIP_USER=1 \
    PYTHONUNBUFFERED=1
RUN useradd --uid 1000 --home-dir /usr/local/airflow --create-home --shell /bin/bash airflow
COPY compose/mwaa-entrypoint.sh /usr/local/bin/mwaa-entrypoint
USER airflow
WORKDIR /usr/local/airflow
ENTRYPOINT ["/bin/bash", "/usr/local/bin/mwaa-entrypoint"]
