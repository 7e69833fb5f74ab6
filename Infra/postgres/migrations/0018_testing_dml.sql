-- shipboard-testing: test runs and their results, acceptance decisions, and the Definitive
-- Media Library (DML).
--
-- test_runs / test_results: one row per run of an image's test plan (which image, from which
--   build, how it ended; run_uuid is the run's sandbox and SHIPBOARD_TEST_RUN) and one per
--   test in it (outcome — skipped when an earlier failure kept it from running —, exit
--   status, the first SHIPBOARD_SCRIPT_OUTPUT_LIMIT_KB of output, and how many bytes more were dropped).
-- acceptances: every accept or reject decision on a run, with who and why (an accepted run
--   with failures carries the override's reason).
-- dml_entries: accepted images, one per name@version, content-addressed by SHA-256, with
--   their provenance. Retiring an entry removes its content, never its record.
-- dml_pins: who uses an entry now (e.g. a rollout); a pinned entry is never retired.
CREATE OR REPLACE FUNCTION public.shipboard_create_testing_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.test_runs (
            id           bigserial PRIMARY KEY,
            run_uuid     uuid NOT NULL UNIQUE,
            release_key  text NOT NULL CHECK (length(release_key) BETWEEN 1 AND 40),
            task_key     text NOT NULL,
            build_id     bigint NOT NULL,
            image_sha256 text NOT NULL CHECK (image_sha256 ~ '^[0-9a-f]{64}$'),
            outcome      text NOT NULL CHECK (outcome IN ('passed', 'failed')),
            passed       integer NOT NULL CHECK (passed >= 0),
            failed       integer NOT NULL CHECK (failed >= 0),
            requested_by text NOT NULL,
            started_at   timestamptz NOT NULL,
            finished_at  timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS test_runs_release ON %I.test_runs (release_key, id)', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.test_results (
            run_id      bigint NOT NULL REFERENCES %I.test_runs (id) ON DELETE CASCADE,
            position    integer NOT NULL CHECK (position >= 0),
            name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
            outcome     text NOT NULL CHECK (outcome IN ('passed', 'failed', 'skipped')),
            exit_status integer,
            duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
            detail      text NOT NULL DEFAULT '' CHECK (length(detail) <= 2000),
            output      text NOT NULL DEFAULT '' CHECK (octet_length(output) <= 3 * 1048576),
            output_dropped_bytes bigint NOT NULL DEFAULT 0 CHECK (output_dropped_bytes >= 0),
            PRIMARY KEY (run_id, position)
        )$sql$, target_schema, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.acceptances (
            id              bigserial PRIMARY KEY,
            release_key     text NOT NULL,
            run_id          bigint NOT NULL REFERENCES %I.test_runs (id),
            decision        text NOT NULL CHECK (decision IN ('accepted', 'rejected')),
            decided_by      text NOT NULL,
            reason          text CHECK (length(reason) <= 1000),
            decided_at      timestamptz NOT NULL DEFAULT now(),
            -- A run is decided once: a second accept or reject of it is refused.
            UNIQUE (run_id)
        )$sql$, target_schema, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS acceptances_release ON %I.acceptances (release_key, id)', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.dml_entries (
            id              bigserial PRIMARY KEY,
            name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            version         text NOT NULL CHECK (length(version) BETWEEN 1 AND 50),
            sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
            size            bigint NOT NULL CHECK (size >= 0),
            release_key     text NOT NULL,
            build_id        bigint NOT NULL,
            test_run_id     bigint NOT NULL REFERENCES %I.test_runs (id),
            accepted_by     text NOT NULL,
            accepted_at     timestamptz NOT NULL DEFAULT now(),
            override_reason text CHECK (length(override_reason) <= 1000),
            state           text NOT NULL DEFAULT 'available' CHECK (state IN ('available', 'retired')),
            retired_at      timestamptz,
            retired_by      text,
            retired_reason  text,
            UNIQUE (name, version),
            CHECK ((state = 'retired') = (retired_at IS NOT NULL AND retired_by IS NOT NULL AND retired_reason IS NOT NULL))
        )$sql$, target_schema, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS dml_entries_sha256 ON %I.dml_entries (sha256)', target_schema);
    -- Retention reads one name's available versions, newest first.
    EXECUTE format('CREATE INDEX IF NOT EXISTS dml_entries_name ON %I.dml_entries (name, accepted_at DESC)', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.dml_pins (
            entry_id  bigint NOT NULL REFERENCES %I.dml_entries (id),
            holder    text NOT NULL CHECK (length(holder) BETWEEN 1 AND 200),
            pinned_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (entry_id, holder)
        )$sql$, target_schema, target_schema);
END
$$;

CREATE OR REPLACE FUNCTION public.shipboard_create_testing_schema(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.shipboard_create_messaging_tables(target_schema);
    PERFORM public.shipboard_create_testing_tables(target_schema);
END
$$;

SELECT public.shipboard_create_testing_tables('testing');
