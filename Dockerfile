# TLSMon production image. One image runs every process: gunicorn (the default CMD),
# `celery -A tlsmon worker`, `celery -A tlsmon beat` and `python manage.py ...`.
#
# No HEALTHCHECK here on purpose: worker, beat and the one-shot migrate container run from this
# image too and serve no HTTP, so the /healthz check is declared on the web service only
# (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A real, writable home: gunicorn (25.1+) puts its control socket in ~/.gunicorn and logs an
# error at every start when it cannot.
RUN groupadd --system --gid 10001 tlsmon \
 && useradd --system --uid 10001 --gid tlsmon --create-home --home-dir /home/tlsmon \
        --shell /usr/sbin/nologin tlsmon

WORKDIR /app

# 1. Third-party dependencies only, read from pyproject.toml: this layer is rebuilt only when
#    pyproject.toml changes, not on every code change. (psycopg[binary] ships its own libpq.)
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# 2. The project. `pip install .` finds its dependencies already installed; the build leftovers
#    are removed so /app holds only the source. Static files are collected at build time into
#    /app/staticfiles (STATIC_ROOT) and served by WhiteNoise from the image, so every container
#    has them; settings refuse to load without SECRET_KEY, hence the throwaway build-only value
#    (it never reaches the runtime environment). var/ is the only place in /app the app user
#    may write to (the beat schedule lives there).
COPY . .
RUN pip install --no-cache-dir . \
 && rm -rf build ./*.egg-info \
 && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput \
 && mkdir -p var \
 && chown tlsmon:tlsmon var

# Import the project from /app, not from the copy `pip install .` put in site-packages: settings
# derive BASE_DIR (and so STATIC_ROOT = /app/staticfiles) from where the tlsmon package lives.
ENV PYTHONPATH=/app

USER tlsmon

EXPOSE 8000

# `exec` so gunicorn replaces the shell and receives SIGTERM for a graceful stop.
CMD ["sh", "-c", "exec gunicorn tlsmon.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
