#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on $PGHOST:$PGPORT (default 127.0.0.1:5432).
# If one is installed through Debian's postgresql-common but stopped, start it and say so.
set -euo pipefail
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
ready && exit 0
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "PostgreSQL is installed ($version) but not answering on $host:$port: starting it"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
fi
echo "No PostgreSQL answers on $host:$port. Install one (Debian: apt-get install postgresql)" \
     "or point PGHOST/PGPORT at a server that accepts trust or password logins." >&2
exit 1
