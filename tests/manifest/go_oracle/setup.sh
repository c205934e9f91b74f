#!/usr/bin/env bash
# Install Debian's Go toolchain so the detector's differential test against Go's own
# encoding/json runs (the suite also passes without it, from the committed answers).
# Idempotent; builds need no network (the oracle is stdlib only).
set -euo pipefail
if command -v go >/dev/null 2>&1; then exit 0; fi
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show golang-go >/dev/null 2>&1; then $SUDO apt-get update -qq; fi
$SUDO apt-get install -y -qq --no-install-recommends golang-go >/dev/null
