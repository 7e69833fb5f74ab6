-- Job plans and work plans (issue 11). A job plan is a versioned template of tasks; a
-- version is never changed once stored. Applying one copies its tasks into the release's
-- work plan (one set-based INSERT ... SELECT), which the release then edits and works.
--
-- Tasks are rows, not a JSON document: a task action updates one row, and the progress
-- query reads the columns it needs. Predecessors are the keys of tasks in the same plan.
CREATE OR REPLACE FUNCTION public.shipboard_create_planning_work_plan_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.job_plans (
            name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
            version     integer NOT NULL CHECK (version >= 1),
            description text NOT NULL DEFAULT '',
            task_count  integer NOT NULL CHECK (task_count BETWEEN 1 AND 10000),
            created_by  text NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (name, version)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.job_plan_tasks (
            plan_name        text NOT NULL,
            plan_version     integer NOT NULL,
            position         integer NOT NULL,
            key              text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
            title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
            task_group       text NOT NULL,
            phase            text NOT NULL,
            owner            text NOT NULL CHECK (owner ~ '^(person|group):.'),
            estimate_minutes integer NOT NULL CHECK (estimate_minutes BETWEEN 0 AND 525600),
            predecessors     text[] NOT NULL DEFAULT '{}',
            kind             text NOT NULL CHECK (kind IN ('manual', 'approval', 'automated', 'rollout')),
            step             text CHECK (step IN ('build', 'test', 'rollout_plan', 'rollout_start')),
            PRIMARY KEY (plan_name, plan_version, key),
            FOREIGN KEY (plan_name, plan_version) REFERENCES %I.job_plans (name, version)
        )$sql$, target_schema, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.work_plan_tasks (
            release_key      text NOT NULL REFERENCES %I.releases (key),
            position         integer NOT NULL,
            key              text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
            title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
            task_group       text NOT NULL,
            phase            text NOT NULL,
            owner            text NOT NULL CHECK (owner ~ '^(person|group):.'),
            assignee         text,
            estimate_minutes integer NOT NULL CHECK (estimate_minutes BETWEEN 0 AND 525600),
            predecessors     text[] NOT NULL DEFAULT '{}',
            kind             text NOT NULL CHECK (kind IN ('manual', 'approval', 'automated', 'rollout')),
            step             text CHECK (step IN ('build', 'test', 'rollout_plan', 'rollout_start')),
            state            text NOT NULL CHECK (state IN
                                 ('waiting', 'ready', 'in_progress', 'done', 'failed', 'skipped', 'cancelled')),
            reason           text,
            started_at       timestamptz,
            finished_at      timestamptz,
            PRIMARY KEY (release_key, key)
        )$sql$, target_schema, target_schema);
    -- Which job plan version the release's work plan was copied from (null: none applied).
    EXECUTE format('ALTER TABLE %I.releases ADD COLUMN IF NOT EXISTS job_plan_version integer', target_schema);
END
$$;

CREATE OR REPLACE FUNCTION public.shipboard_create_planning_schema(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.shipboard_create_messaging_tables(target_schema);
    PERFORM public.shipboard_create_planning_ci_tables(target_schema);
    PERFORM public.shipboard_create_planning_audit_tables(target_schema);
    PERFORM public.shipboard_create_planning_release_tables(target_schema);
    PERFORM public.shipboard_create_planning_configuration_tables(target_schema);
    PERFORM public.shipboard_create_planning_audit_heads(target_schema);
    PERFORM public.shipboard_create_planning_work_plan_tables(target_schema);
END
$$;

SELECT public.shipboard_create_planning_work_plan_tables('planning');
