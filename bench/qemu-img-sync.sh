#!/usr/bin/env bash
# qemu-img convert ARGS... OUT, then flush OUT to stable storage (what imago does before its rename).
set -euo pipefail
qemu-img convert "$@"
sync "${@: -1}"
