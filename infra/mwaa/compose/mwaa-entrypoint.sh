#!/usr/bin/env bash
# How docker-compose.yaml's Airflow containers start: the steps of Amazon MWAA's own
# entrypoint (aws/amazon-mwaa-docker-images, images/airflow/3.3.1/python/mwaa/entrypoint.py
# and config/setup_environment.py), on the bundle `make package` builds.
#
#   mwaa-entrypoint migrate-db|webserver|scheduler|worker
#
# 1. The bundle, laid out as MWAA lays out its S3 bucket in $AIRFLOW_HOME: dags/ follows
#    the bundle's live (MWAA syncs that folder continuously), plugins.zip is unpacked into
#    plugins/ and requirements.txt and startup.sh are copied, at each start only (on MWAA a
#    change to them is an environment update, which restarts every container).
# 2. What MWAA itself provides (credentials, the Variables, the AWS endpoint) comes from
#    the local stack's env file ($MWAA_STACK_ENV, written by the stack-init service).
# 3. Except for migrate-db: the startup script runs (exports it makes are kept, `exit`
#    included, as MWAA keeps them), then `pip install -r requirements.txt`; a failed
#    install is reported and the component starts anyway, as on MWAA.
# 4. The component: webserver is the API server; scheduler is the scheduler, DAG
#    processor and triggerer, the container ending when one of them ends; worker is a
#    Celery worker. Both create the Celery queue first when MWAA__SQS__CREATE_QUEUE=true.
set -euo pipefail

command=${1:-}
home=${AIRFLOW_HOME:?AIRFLOW_HOME is not set}
bundle=${MWAA_BUNDLE:?MWAA_BUNDLE (the directory make package writes) is not set}
say() { echo "mwaa-entrypoint: $*" >&2; }

case "$command" in
  migrate-db | webserver | scheduler | worker) ;;
  *) say "usage: mwaa-entrypoint migrate-db|webserver|scheduler|worker (got '$command')"; exit 2 ;;
esac

# 1. the bundle
if [ ! -f "$bundle/plugins.zip" ] || [ ! -f "$bundle/requirements.txt" ] || [ ! -d "$bundle/dags" ]; then
  say "$bundle holds no MWAA bundle: run \`make package\` in the repository, then start again"
  exit 1
fi
ln -sfn "$bundle/dags" "$home/dags"
rm -rf "$home/plugins" "$home/requirements" "$home/startup"
mkdir -p "$home/plugins" "$home/requirements" "$home/startup"
python -m zipfile -e "$bundle/plugins.zip" "$home/plugins"
cp "$bundle/requirements.txt" "$home/requirements/requirements.txt"
if [ -f "$bundle/startup.sh" ]; then
  cp "$bundle/startup.sh" "$home/startup/startup.sh"
fi

# 2. what MWAA provides
if [ -n "${MWAA_STACK_ENV:-}" ]; then
  if [ ! -s "$MWAA_STACK_ENV" ]; then
    say "$MWAA_STACK_ENV is missing: the stack-init service has not run"
    exit 1
  fi
  set -a
  # shellcheck disable=SC1090
  . "$MWAA_STACK_ENV"
  set +a
fi

# 3. startup script and requirements
if [ "$command" != migrate-db ]; then
  if [ -f "$home/startup/startup.sh" ]; then
    say "running the startup script"
    exports=$(mktemp)
    # MWAA runs the script in bash with `exit` aliased to a handler that keeps its exports.
    timeout 300 bash -c '
      exports=$2
      handle_exit() { export -p >"$exports"; builtin exit "$@"; }
      shopt -s expand_aliases
      alias exit=handle_exit
      source "$1"
      handle_exit
    ' startup "$home/startup/startup.sh" "$exports" >&2 || say "the startup script failed ($?)"
    protected_home=$home protected_bundle=$bundle
    # shellcheck disable=SC1090
    . "$exports"
    export AIRFLOW_HOME=$protected_home MWAA_BUNDLE=$protected_bundle  # MWAA protects these
    rm -f "$exports"
  fi
  say "pip install -r requirements.txt"
  python -m pip install --disable-pip-version-check -r "$home/requirements/requirements.txt" >&2 \
    || say "ERROR: pip install -r requirements.txt failed; the $command starts anyway, as on MWAA"
fi

# 4. the component
create_queue() {
  [ "${MWAA__SQS__CREATE_QUEUE:-false}" = true ] || return 0
  python - <<'PY'
import os

import boto3

url = os.environ["MWAA__SQS__QUEUE_URL"]
sqs = boto3.client("sqs", endpoint_url=os.environ["MWAA__SQS__CUSTOM_ENDPOINT"])
sqs.create_queue(QueueName=url.rstrip("/").rsplit("/", 1)[1])
PY
}

case "$command" in
  migrate-db) exec airflow db migrate ;;
  webserver) exec airflow api-server ;;
  worker)
    create_queue
    exec airflow celery worker
    ;;
  scheduler)
    create_queue
    airflow scheduler &
    airflow dag-processor &
    airflow triggerer &
    trap 'kill $(jobs -p) 2>/dev/null || true' TERM INT  # docker stop: pass it on
    status=0
    wait -n || status=$?
    say "a scheduler process ended (status $status): stopping the others"
    kill $(jobs -p) 2>/dev/null || true
    wait || true
    exit "$status"
    ;;
esac
