# The two commands a newcomer needs: `make demo` and `make test`. Everything else is here
# so that neither needs anything installed by hand.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium
# The report's fonts for its browser test: one file of each Debian package, fonts-noto-core
# (Noto Sans, Noto Sans Arabic) and fonts-noto-cjk (Chinese, Japanese, Korean). Without them
# headless Chromium draws those languages' letters as empty boxes.
REPORT_FONTS := /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf \
	/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# Spark (--target spark, the local cluster of `make spark-up`) runs on Java 17.
JAVA := $(or $(shell command -v java 2>/dev/null),/usr/bin/java)

.PHONY: demo test install lint format dev lock clean bench bench-spark spark-up spark-down \
	i18n-extract

demo: $(STAMP)
	$(BIN)/roi demo

# The pipeline tests are CPU-bound: one worker per core, one test file per worker (module
# fixtures run once), the files that run the pipeline most often first (tests/conftest.py;
# --no-loadscope-reorder keeps that order instead of xdist's most-tests-first). The dbt
# manifest is parsed first so the workers never race to write it. The 15 slowest tests and
# fixtures are listed at the end (where the suite's time goes).
# Scratch space is in RAM (/dev/shm) when it has room: every pipeline run writes a
# warehouse, a Dagster run history and dlt packages, and syncs them to disk event by event
# (seen here: half the wall time of a run was spent waiting for fsync). Kept after a
# failure for inspection, removed after a pass.
TEST_TMP := $(shell $(PYTHON) -c "import os, shutil; ok = os.path.isdir('/dev/shm') and shutil.disk_usage('/dev/shm').free > 8 << 30; print(f'/dev/shm/roi-tests-{os.getuid()}' if ok else '')" 2>/dev/null)

test: $(STAMP) $(CHROMIUM) $(REPORT_FONTS) $(JAVA)
	$(BIN)/python -c "from orchestration.dbt_project import ensure_manifest; ensure_manifest()"
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder --durations=15 \
		$(if $(TEST_TMP),--basetemp=$(TEST_TMP)) \
		&& $(if $(TEST_TMP),rm -rf $(TEST_TMP),true)

# The report's browser test opens the HTML report in headless Chromium: Debian's package,
# driven by Playwright (which downloads no browser of its own). Installed once, as root.
$(CHROMIUM):
	@echo "installing Debian's chromium for the report's browser test"
	@if command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		|| echo "error: could not install chromium with apt-get (are you root?); the report's browser test will fail" >&2; \
	else \
		echo "error: apt-get is not available: install Chromium so that $(CHROMIUM) exists; the report's browser test will fail without it" >&2; \
	fi

# The Noto fonts the report's font stack names (README "The ROI report", Languages), installed
# once, as root; one install brings every file of REPORT_FONTS (hence the test of $@).
$(REPORT_FONTS):
	@test -e $@ || { echo "installing Debian's Noto fonts for the report's languages"; \
	if command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			fonts-noto-core fonts-noto-cjk \
		|| echo "error: could not install fonts-noto-core and fonts-noto-cjk with apt-get (are you root?); the report's browser test will fail" >&2; \
	else \
		echo "error: apt-get is not available: install the Noto fonts (Noto Sans, Noto Sans Arabic, Noto Sans CJK) so that $@ exists; the report's browser test will fail without them" >&2; \
	fi; }

# Java 17 for Spark: Debian's headless runtime, installed once, as root.
$(JAVA):
	@echo "installing Debian's openjdk-17-jre-headless for Spark"
	@if command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless \
		|| echo "error: could not install Java 17 with apt-get (are you root?); Spark cannot start without it" >&2; \
	else \
		echo "error: apt-get is not available: install Java 17 so that $(JAVA) exists; Spark cannot start without it" >&2; \
	fi

# The local Spark cluster of --target spark: a standalone master, two workers and the Spark
# Thrift Server from pyspark's jars, its files under $ROI_SPARK_HOME (default
# warehouse/spark/). README "Apache Spark".
spark-up: $(STAMP) $(JAVA)
	$(BIN)/roi spark up

spark-down: $(STAMP)
	$(BIN)/roi spark down

install: $(STAMP)

# Reinstall whenever the pins change. uv installs the locked set in seconds. Bytecode is
# compiled at install time: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every
# `roi` and dbt process would otherwise compile Dagster, dbt and Great Expectations from
# source again (seen here: dbt's own start-up 3.0 s of CPU -> 1.75 s).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# lint-imports checks the layers and that no two modules of a package import each other in
# a cycle (pyproject.toml, [tool.importlinter]; README "Architecture").
# sqlfluff renders the SQL with dbt (templater dbt, .sqlfluff) and needs no warehouse: the
# duckdb target opens an in-memory database, and dbt writes its files under target/sqlfluff
# so that the project's own manifest is left alone.
lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	ROI_WAREHOUSE=:memory: DBT_TARGET_PATH=target/sqlfluff \
		$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Dagster UI on http://127.0.0.1:$(DEV_PORT) with the asset graph, checks and schedules,
# and the daemon that runs schedules, sensors and backfills. dagster.yaml is written into
# DAGSTER_HOME for this environment (SQLite, or PostgreSQL when DAGSTER_PG_HOST is set).
# umask 077: the event logs, run state, reports and dlt traces the webserver, the daemon and
# the runs they launch write are the user's only (0600 files, 0700 folders), as with `roi`.
# `exec` lets make's SIGTERM reach roi.dev_server, which stops every Dagster process on
# Ctrl-C or SIGTERM within seconds (see roi/dev_server.py for why make alone did not).
DEV_PORT ?= 3000
dev: $(STAMP)
	$(BIN)/python -c "from orchestration.dbt_project import ensure_manifest; ensure_manifest()"
	umask 077; DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.dagster_home}; \
	$(BIN)/roi dagster-home $$DAGSTER_HOME && \
	DAGSTER_HOME=$$DAGSTER_HOME exec $(BIN)/python -m roi.dev_server \
		$(BIN)/dagster dev -m orchestration.code_location -h 127.0.0.1 -p $(DEV_PORT)

# The benchmark (bench/bench.py): generate, full run, bare dbt build, rerun, same-size update
# and DuckDB alone at each scale, issue 17's goals; figures into bench/RESULTS.md. Scales 200
# and 500 take a long time: `make bench SCALES=1,50` for a quicker look.
SCALES ?= 1,50,200,500
bench: $(STAMP)
	$(BIN)/python bench/bench.py --scales $(SCALES)

# One scale on a local Spark cluster beside DuckDB (bench/spark.py): the benchmark starts a
# cluster of its own on free ports and stops it; figures into bench/RESULTS.md.
SPARK_SCALE ?= 50
bench-spark: $(STAMP) $(JAVA)
	$(BIN)/python bench/spark.py --scale $(SPARK_SCALE)

# The report's message catalogs (README "The ROI report", Languages): collect every message of
# the code and the templates into the template (messages.pot), merge it into each language's
# messages.po (a changed message keeps its old translation marked fuzzy, shown in English until
# a translator clears the flag; removed ones are dropped), then write the source language's
# own catalog (English: each message is its own translation) and the Chinese column labels
# from the dbt docs' meta.label_zh. The .po files are read as they are at run time: nothing to
# compile. A mart column's label has the column's name as its context (mart_column:1c,2).
LOCALE_DIR := reporting/locale
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords mart_column:1c,2 \
		--add-comments Translators: --add-location file --project overseas-roi-warehouse \
		--copyright-holder "the overseas-roi-warehouse contributors" \
		--output-file $(LOCALE_DIR)/messages.pot .
	$(BIN)/pybabel update --input-file $(LOCALE_DIR)/messages.pot --output-dir $(LOCALE_DIR) \
		--ignore-obsolete
	$(BIN)/python -m reporting.catalogs

# Re-pin the full dependency tree after changing pyproject.toml.
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) warehouse demo dbt_project/target dbt_project/logs
