# The README's commands. `make run` serves the site; `make test` runs the whole suite.
.DEFAULT_GOAL := run
.PHONY: run test check dev-sync deploy-check hooks types lint format serve worker clean

# uv from PATH, or bootstrapped into .tools/ (nothing installed globally).
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
UV_VERSION := 0.13.9
# Python comes from the machine (.python-version says 3.13): never downloaded.
export UV_PYTHON_DOWNLOADS := never
# Libraries compiled to bytecode when installed: uv leaves it to Python's first import, whose
# .pyc isn't kept where it can't be written (PYTHONDONTWRITEBYTECODE, a read-only install),
# and then every command compiles Django again (about 2 s of each import_essays).
export UV_COMPILE_BYTECODE := 1
MANAGE := .venv/bin/python manage.py

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# A development secret, made once and never committed.
.secret-key:
	python3 -c "import secrets; print(secrets.token_urlsafe(50))" > $@

DEV := DJANGO_DEBUG=1 DJANGO_SECRET_KEY=$$(cat .secret-key)

run: $(UV) .secret-key
	$(UV) sync --locked --no-dev --inexact
	$(DEV) $(MANAGE) migrate --noinput
	$(DEV) $(MANAGE) loaddata fixtures/*.md
	$(DEV) $(MANAGE) ensure_writer
	@# The newsletter's worker beside the server (its emails print here), stopped with it.
	$(DEV) $(MANAGE) db_worker --no-reload --verbosity 0 & trap "kill $$!" EXIT; \
	$(DEV) $(MANAGE) runserver 127.0.0.1:8000

# Test-only JavaScript (axe-core for the browser tests), from package-lock.json.
node_modules/.package-lock.json: package-lock.json
	npm ci --silent --no-audit --no-fund --ignore-scripts
	touch $@

# Tests run with production settings (DEBUG off) over plain HTTP, with a throwaway secret.
test: $(UV) $(if $(shell command -v npm 2>/dev/null),node_modules/.package-lock.json)
	$(UV) sync --locked
	DJANGO_SECRET_KEY=$$(python3 -c "import secrets; print(secrets.token_urlsafe(50))") \
	DJANGO_HTTPS=0 .venv/bin/pytest $(PYTEST_ARGS)

# What CI checks besides the tests (`make -k check` runs them all even if one fails), with
# production settings (DEBUG off): Django's deployment checks and migrations up to date;
# the pre-commit hooks over every file (they may fix files: see `git diff`); mypy.
PROD := DJANGO_SECRET_KEY=$$(python3 -c "import secrets; print(secrets.token_urlsafe(50))") \
	DJANGO_ALLOWED_HOSTS=essays.example.com
check: deploy-check hooks types

dev-sync: $(UV)
	$(UV) sync --locked

deploy-check: dev-sync
	$(PROD) $(MANAGE) check --deploy --fail-level WARNING
	$(PROD) $(MANAGE) makemigrations --check --dry-run

hooks: dev-sync
	.venv/bin/prek run --all-files --show-diff-on-failure

types: dev-sync
	$(PROD) .venv/bin/mypy

# Production: settings from the environment (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
# DATABASE_URL...), the server (granian) from BIND, WEB_CONCURRENCY... (site_config/serve.py).
serve: $(UV)
	$(UV) sync --locked --no-dev --inexact
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	exec .venv/bin/python -m site_config.serve

# The newsletter's worker (emails outside the request), beside `make serve` in production.
worker: $(UV)
	$(UV) sync --locked --no-dev --inexact
	$(MANAGE) db_worker --no-reload

lint: $(UV)
	$(UV) sync --locked
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: $(UV)
	$(UV) sync --locked
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

clean:
	rm -rf .venv .tools staticfiles .pytest_cache .ruff_cache .mypy_cache .coverage node_modules
