#!/bin/sh
# The production build: what the Dockerfile runs after copying the code, and what CI runs
# (tests/pixcentre/test_deployment.py) to prove it works on a clean checkout.
#   scripts/build.sh          # static files into $STATIC_ROOT (default var/staticfiles)
#   PYTHON=.venv/bin/python STATIC_ROOT=/tmp/static scripts/build.sh
# Collecting needs PRODUCTION=true (hashed, compressed copies, as gunicorn serves them) and a
# throwaway key and site address: nothing is signed or linked at build time.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
export PRODUCTION=true
export SECRET_KEY="${SECRET_KEY:-build-only-not-secret}"
export PIX_SITE_URL="${PIX_SITE_URL:-https://build.invalid}"
"$PYTHON" manage.py collectstatic --noinput --clear
"$PYTHON" manage.py compilemessages --ignore '.venv/*' --ignore 'var/*'
