# pixcentre production image: gunicorn (web), Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint needs Pango; fonts-dejavu gives PDFs fonts that exist offline.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core curl gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install -r requirements.lock
COPY . .
# Static files are collected at build time (a throwaway key: collectstatic needs one).
RUN PRODUCTION=true SECRET_KEY=build-only-not-secret PIXCENTRE_VAR_DIR=/tmp/build \
    python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore '.venv/*' \
    && useradd --create-home pixcentre && mkdir -p /app/var && chown -R pixcentre /app/var
USER pixcentre
EXPOSE 8000
CMD ["gunicorn", "pixcentre.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
