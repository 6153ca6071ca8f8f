# The two commands a newcomer needs: `make demo` and `make test`. Everything else is here
# so that neither needs anything installed by hand.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint format dev lock clean

demo: $(STAMP)
	$(BIN)/roi demo

# The pipeline tests are CPU-bound: one worker per core, one test file per worker (module
# fixtures run once). The dbt manifest is parsed first so the workers never race to write it.
test: $(STAMP)
	$(BIN)/python -c "from orchestration.dbt_project import ensure_manifest; ensure_manifest()"
	$(BIN)/python -m pytest -n auto --dist loadfile

install: $(STAMP)

# Reinstall whenever the pins change. uv installs the locked set in seconds.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Dagster UI on http://127.0.0.1:3000 with the asset graph, checks and schedules, and
# the daemon that runs schedules, sensors and backfills. dagster.yaml is written into
# DAGSTER_HOME for this environment (SQLite, or PostgreSQL when DAGSTER_PG_HOST is set).
dev: $(STAMP)
	$(BIN)/python -c "from orchestration.dbt_project import ensure_manifest; ensure_manifest()"
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.dagster_home}; \
	$(BIN)/roi dagster-home $$DAGSTER_HOME && \
	DAGSTER_HOME=$$DAGSTER_HOME $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

# Re-pin the full dependency tree after changing pyproject.toml.
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) warehouse demo dbt_project/target dbt_project/logs
