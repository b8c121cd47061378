# pixcentre — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# make run PORT=8111 serves on another port (several checkouts on one machine).
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-nodeps.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: help install run test test-fast worker lint format lock messages bench clean

help:
	@echo "make run     - install, migrate, load the demo centre and serve http://127.0.0.1:$(PORT) (PORT=8000)"
	@echo "make test    - install and run the whole test suite"
	@echo "make worker  - Celery worker + beat (needs CELERY_BROKER_URL or REDIS_URL)"
	@echo "make lint    - ruff lint + format check, Django checks, missing migrations"
	@echo "make format  - ruff format and fix"
	@echo "make lock    - regenerate requirements.lock from pyproject.toml"
	@echo "make messages - update and compile the translation catalogues"

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Serving the demo centre at http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Two test processes (pytest-xdist), each with its own test database and Redis database
# (tests/xdist_services.py): the suite waits on browsers, servers and workers as much as it
# computes. make test TEST_PROCESSES=0 runs in one process. -p tests.xdist_services is loaded
# before Django reads REDIS_URL (it needs `python -m pytest`, which puts the checkout on the path).
TEST_PROCESSES ?= 2
test: install
	CONN_MAX_AGE=0 $(BIN)/python -m pytest -p tests.xdist_services -n $(TEST_PROCESSES) $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A pixcentre worker --beat --loglevel=info

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: install
	$(BIN)/pip-compile --quiet --extra dev --strip-extras -o requirements.lock pyproject.toml

messages: install
	$(BIN)/python manage.py makemessages -l en --no-location --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages -l en --ignore '.venv/*'

clean:
	rm -rf $(VENV) var test-artifacts
