-- shipboard-rollout: rollouts, their waves and targets, every attempt at a target, and the
-- worker pools that serve sites.
--
-- rollouts: one per plan of a release (a plan replaced before it started is deleted with
--   its rows); at most one that is not final per release. The image is the DML entry it
--   rolls out (pinned in the DML while the rollout lives). plan_task_key / start_task_key:
--   planning's automated tasks answered when the plan is made and when the rollout ends.
--   wake_at: when a timed gate opens (the coordinator looks again then).
-- waves: in the order they run; gate_* is what comes after the wave.
-- targets: one per source -> target rollout (a task of planning's work plan). attempts is
--   the number of the current (or last) attempt; a deploy job names it, so a repeated or
--   late job does nothing. lease_owner / lease_until: the replica deploying it now; an
--   expired lease (a replica that died) is taken back and the target tried again as a new
--   attempt. action: what the current attempt does (deploy, or backout after a halt);
--   backout_seq: the order a halt backs targets out in.
-- attempts: every attempt, its replica, outcome and the bounded output of its scripts. The
--   attempt's idempotency key is (rollout_id, task_key, action, attempt).
-- workers: every replica's pool and the sites it serves (none: every site), refreshed while
--   it runs; deploy jobs route to the pool serving the target's site.
CREATE OR REPLACE FUNCTION public.shipboard_create_rollout_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.rollouts (
            id              uuid PRIMARY KEY,
            release_key     text NOT NULL CHECK (length(release_key) BETWEEN 1 AND 40),
            state           text NOT NULL CHECK (state IN
                                ('planned', 'running', 'paused', 'halted', 'backing_out', 'backed_out', 'aborted', 'completed')),
            current_wave    integer NOT NULL DEFAULT 0 CHECK (current_wave >= 0),
            sources         text[] NOT NULL,
            window_size     integer NOT NULL CHECK (window_size >= 1),
            threshold_kind  text NOT NULL CHECK (threshold_kind IN ('count', 'percent')),
            threshold_value integer NOT NULL CHECK (threshold_value >= 1),
            halt_after      integer NOT NULL CHECK (halt_after >= 1),
            backout_scope   text NOT NULL CHECK (backout_scope IN ('current_wave', 'all')),
            image_name      text NOT NULL,
            image_version   text NOT NULL,
            image_sha256    text NOT NULL CHECK (image_sha256 ~ '^[0-9a-f]{64}$'),
            definition      jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
            plan_task_key   text,
            start_task_key  text,
            planned_by      text NOT NULL,
            planned_at      timestamptz NOT NULL DEFAULT now(),
            started_by      text,
            started_at      timestamptz,
            finished_at     timestamptz,
            reason          text CHECK (length(reason) <= 2000),
            wake_at         timestamptz
        )$sql$, target_schema);
    EXECUTE format($sql$CREATE UNIQUE INDEX IF NOT EXISTS rollouts_one_live_per_release ON %I.rollouts (release_key)
                         WHERE state NOT IN ('backed_out', 'aborted', 'completed')$sql$, target_schema);
    EXECUTE format($sql$CREATE INDEX IF NOT EXISTS rollouts_active ON %I.rollouts (state)
                         WHERE state IN ('running', 'halted', 'backing_out')$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.waves (
            rollout_id   uuid NOT NULL REFERENCES %I.rollouts (id) ON DELETE CASCADE,
            index        integer NOT NULL CHECK (index >= 0),
            kind         text NOT NULL CHECK (kind IN ('canary', 'site')),
            sites        text[] NOT NULL,
            gate_kind    text NOT NULL CHECK (gate_kind IN ('none', 'pause', 'approval', 'soak')),
            gate_seconds integer CHECK (gate_seconds IS NULL OR gate_seconds >= 1),
            opened_at    timestamptz,
            completed_at timestamptz,
            approved_by  text,
            approved_at  timestamptz,
            PRIMARY KEY (rollout_id, index)
        )$sql$, target_schema, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.targets (
            rollout_id   uuid NOT NULL REFERENCES %I.rollouts (id) ON DELETE CASCADE,
            task_key     text NOT NULL CHECK (length(task_key) BETWEEN 1 AND 120),
            source       text NOT NULL,
            target       text NOT NULL,
            site         text NOT NULL,
            wave         integer NOT NULL,
            batch        integer NOT NULL,
            position     integer NOT NULL,
            depends_on   text[] NOT NULL DEFAULT '{}',
            state        text NOT NULL DEFAULT 'pending' CHECK (state IN
                             ('pending', 'running', 'succeeded', 'failed', 'backed_out', 'skipped', 'excluded')),
            action       text NOT NULL DEFAULT 'deploy' CHECK (action IN ('deploy', 'backout')),
            attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            pool         text,
            dispatched_at timestamptz,
            lease_owner  text,
            lease_until  timestamptz,
            backout_seq  integer,
            succeeded_at timestamptz,
            finished_at  timestamptz,
            detail       text CHECK (length(detail) <= 2000),
            PRIMARY KEY (rollout_id, task_key),
            CHECK ((lease_owner IS NULL) = (lease_until IS NULL))
        )$sql$, target_schema, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS targets_state ON %I.targets (rollout_id, state)', target_schema);
    EXECUTE format($sql$CREATE INDEX IF NOT EXISTS targets_leases ON %I.targets (lease_until)
                         WHERE lease_until IS NOT NULL$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.attempts (
            rollout_id   uuid NOT NULL,
            task_key     text NOT NULL,
            action       text NOT NULL CHECK (action IN ('deploy', 'backout')),
            attempt      integer NOT NULL CHECK (attempt >= 1),
            replica      text NOT NULL CHECK (length(replica) BETWEEN 1 AND 200),
            outcome      text NOT NULL DEFAULT 'running' CHECK (outcome IN
                             ('running', 'succeeded', 'failed', 'error', 'abandoned', 'superseded')),
            started_at   timestamptz NOT NULL DEFAULT now(),
            finished_at  timestamptz,
            duration_ms  bigint CHECK (duration_ms IS NULL OR duration_ms >= 0),
            detail       text CHECK (length(detail) <= 2000),
            log          text NOT NULL DEFAULT '' CHECK (octet_length(log) <= 65536),
            PRIMARY KEY (rollout_id, task_key, action, attempt),
            FOREIGN KEY (rollout_id, task_key) REFERENCES %I.targets (rollout_id, task_key) ON DELETE CASCADE
        )$sql$, target_schema, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.workers (
            replica    text PRIMARY KEY CHECK (length(replica) BETWEEN 1 AND 200),
            pool       text NOT NULL CHECK (pool ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
            sites      text[] NOT NULL DEFAULT '{}',
            concurrency integer NOT NULL CHECK (concurrency >= 1),
            started_at timestamptz NOT NULL DEFAULT now(),
            seen_at    timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
END
$$;

CREATE OR REPLACE FUNCTION public.shipboard_create_rollout_schema(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.shipboard_create_messaging_tables(target_schema);
    PERFORM public.shipboard_create_rollout_tables(target_schema);
END
$$;

SELECT public.shipboard_create_rollout_tables('rollout');
