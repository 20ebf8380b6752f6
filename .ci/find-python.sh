#!/usr/bin/env bash
# Print the path of a working CPython X.Y interpreter (argument "3.12"), or nothing.
# pyenv shims answer `command -v` even when the version is not active, so each
# candidate is asked to run before it is trusted.
want=$1
for candidate in "$(command -v "python$want" 2>/dev/null)" \
                 /root/.pyenv/versions/"$want".*/bin/python"$want" \
                 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/python"$want" \
                 /usr/bin/python"$want" /usr/local/bin/python"$want"; do
  [ -x "$candidate" ] || continue
  if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
