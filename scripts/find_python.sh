#!/bin/sh
# Print the path of a Python interpreter of one of the given versions, in the order
# given, that runs and can make a venv; exit 1 when there is none.
#
#   sh scripts/find_python.sh 3.11 3.12 3.13            # what the Makefile does
#   sh scripts/find_python.sh --except 3.11 3.13 3.12    # another version than 3.11
#
# For each version it tries `python3.X` on PATH, then an interpreter that pyenv has
# installed but not activated (a pyenv shim on PATH fails to run those), and finally
# `python3` and `python` when they are one of the versions.
set -u

except=""
if [ "${1:-}" = "--except" ]; then except="$2"; shift 2; fi

# Succeeds when $1 runs, is Python $2 (not a free-threaded build: no TensorFlow wheels)
# and has venv and ensurepip (Debian ships them as python3.X-venv).
works() {
    "$1" -c "import sys, sysconfig, venv, ensurepip
sys.exit('%d.%d' % sys.version_info[:2] != '$2' or bool(sysconfig.get_config_var('Py_GIL_DISABLED')))" >/dev/null 2>&1
}

for version in "$@"; do
    [ "$version" = "$except" ] && continue
    candidate=$(command -v "python$version" 2>/dev/null) && works "$candidate" "$version" && { echo "$candidate"; exit 0; }
    if command -v pyenv >/dev/null 2>&1; then
        root=$(pyenv root 2>/dev/null)
        for dir in $(ls -d "$root/versions/$version".* 2>/dev/null | sort -t. -k3 -n -r); do
            case "${dir##*/}" in *[!0-9.]*) continue ;; esac  # 3.13.0, not 3.13.0t or 3.13-dev
            works "$dir/bin/python$version" "$version" && { echo "$dir/bin/python$version"; exit 0; }
        done
    fi
done
for name in python3 python; do
    candidate=$(command -v "$name" 2>/dev/null) || continue
    for version in "$@"; do
        [ "$version" = "$except" ] && continue
        works "$candidate" "$version" && { echo "$candidate"; exit 0; }
    done
done
exit 1
