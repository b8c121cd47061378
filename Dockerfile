# pixcentre production image: gunicorn (web), Celery worker and beat share it.
# tests/pixcentre/test_deployment.py runs this file's build script and the compose commands
# (no Docker engine needed): a step that breaks fails the tests.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint needs Pango; fonts-dejavu gives PDFs fonts that exist offline; postgresql-client
# gives scripts/backup.py pg_dump and pg_restore (15, the version of the db service).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core curl gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock requirements-nodeps.lock pyproject.toml ./
RUN pip install -r requirements.lock && pip install --no-deps -r requirements-nodeps.lock
COPY . .
# Collected static files live outside var/ so that the running container finds what the
# build collected (var/ holds run-time state).
ENV STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/app/media PIXCENTRE_VAR_DIR=/app/var
# The production build, shared with CI: hashed and compressed static files, compiled messages.
RUN scripts/build.sh
# The image's user owns what it writes: run-time state and the media volume (a new named
# volume takes the ownership of the image's directory it is mounted on).
RUN useradd --create-home pixcentre \
    && mkdir -p /app/var /app/media \
    && chown -R pixcentre /app/var /app/media
USER pixcentre
EXPOSE 8000
CMD ["gunicorn", "pixcentre.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
