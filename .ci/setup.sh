#!/usr/bin/env bash
# Idempotent machine and project set-up behind `make setup`.
#   $1 uv version to install when none is on PATH
#   $2 Python 3.12 interpreter (MWAA's Python) for .venv
#   $3 Python 3.9 interpreter (Glue's Python) for .venv-py39, may be empty
set -euo pipefail
cd "$(dirname "$0")/.."
uv_version=$1 py312=$2 py39=${3:-}
export UV_PYTHON_DOWNLOADS=never

apt_install() {  # apt_install <what it is for> <debian packages...>
  local why=$1; shift
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing $* ($why)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
  else
    echo "setup: $why needs the Debian packages: $* (run as root, or: sudo apt-get install $*)" >&2
    exit 1
  fi
}

command -v pg_config >/dev/null || apt_install "PyGreSQL compiles against libpq" libpq-dev
command -v gcc >/dev/null || apt_install "PyGreSQL is compiled from source" gcc
command -v node >/dev/null && command -v npm >/dev/null || apt_install "asl-validator runs on Node.js" nodejs npm
if ! command -v docker-compose >/dev/null && ! docker compose version >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt_install "tests validate docker-compose.yaml with docker-compose config" docker-compose
  else
    echo "setup: no docker-compose: the test running \`docker-compose config\` will be SKIPPED" \
         "(sudo apt-get install docker-compose)"
  fi
fi

if [ -z "$py312" ]; then
  echo "setup: no Python 3.12 interpreter found (MWAA runs Airflow on 3.12). Install python3.12" \
       "or pass PY312=/path/to/python3.12 to make." >&2
  exit 1
fi

uv=$(uv --version >/dev/null 2>&1 && command -v uv || true)
if [ -z "$uv" ]; then
  uv=$PWD/.tools/bin/uv
  if [ ! -x "$uv" ]; then
    echo "setup: installing uv $uv_version into .tools/"
    "$py312" -m venv .tools
    .tools/bin/pip install -q "uv==$uv_version"
  fi
fi

"$uv" sync --locked --python "$py312" --quiet

if [ -n "$py39" ]; then
  if [ ! -x .venv-py39/bin/python ] || ! cmp -s glue_job/py39-test.lock.txt .venv-py39/.installed-lock \
     || ! .venv-py39/bin/python -c "import local_redshift" 2>/dev/null; then
    echo "setup: building .venv-py39 (Python 3.9 + PyGreSQL 5.0.6, Glue's runtime) from glue_job/py39-test.lock.txt"
    "$uv" venv --quiet --allow-existing --python "$py39" .venv-py39
    "$uv" pip install --no-config --quiet --python .venv-py39/bin/python -r glue_job/py39-test.lock.txt
    "$uv" pip install --no-config --quiet --python .venv-py39/bin/python --no-deps -e glue_job -e glue_job/local_redshift
    cp glue_job/py39-test.lock.txt .venv-py39/.installed-lock
  fi
else
  echo "setup: no Python 3.9 interpreter: the runner's Glue-runtime test leg will be SKIPPED"
fi

if [ ! -x .venv-af211/bin/python ] || ! cmp -s infra/mwaa/airflow-2.11.2-test.lock.txt .venv-af211/.installed-lock; then
  echo "setup: building .venv-af211 (Airflow 2.11.2, for the DAG import test) from infra/mwaa/airflow-2.11.2-test.lock.txt"
  "$uv" venv --quiet --allow-existing --python "$py312" .venv-af211
  "$uv" pip install --no-config --quiet --python .venv-af211/bin/python -r infra/mwaa/airflow-2.11.2-test.lock.txt
  cp infra/mwaa/airflow-2.11.2-test.lock.txt .venv-af211/.installed-lock
fi

checkov_version=3.3.30
if [ "$(.venv-checkov/bin/checkov --version 2>/dev/null)" != "$checkov_version" ]; then
  # its own venv: checkov pins dependencies (cachetools < 6) that Airflow's constraints do not allow
  echo "setup: installing checkov $checkov_version into .venv-checkov (the IaC scanner of make security)"
  "$uv" venv --quiet --allow-existing --python "$py312" .venv-checkov
  "$uv" pip install --no-config --quiet --python .venv-checkov/bin/python "checkov==$checkov_version"
fi

if [ -f infra/package-lock.json ]; then
  [ infra/node_modules -nt infra/package-lock.json ] || (cd infra && npm ci --silent --no-audit --no-fund && touch node_modules)
fi
