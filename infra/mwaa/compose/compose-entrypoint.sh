#!/usr/bin/env bash
# Start of every Airflow container in docker-compose.yaml, doing what MWAA does before it
# starts a component: install requirements.txt (its first line is the --constraint of
# Airflow 3.3.1 / Python 3.12, as on MWAA), then load the local stack's settings, the
# same `export` lines `make local-up` writes to .local/env. Then the image's entrypoint.
set -euo pipefail

requirements=${MWAA__CORE__REQUIREMENTS_PATH:-/usr/local/airflow/requirements/requirements.txt}
if [ -f "$requirements" ]; then
  pip install --quiet --no-cache-dir --user -r "$requirements"
fi

stack_env=${ETLKIT_STACK_ENV:-/stack/env}
if [ ! -s "$stack_env" ]; then
  echo "compose-entrypoint: $stack_env is missing: the stack-init service has not run" >&2
  exit 1
fi
set -a
# shellcheck disable=SC1090
. "$stack_env"
set +a

exec /entrypoint "$@"
