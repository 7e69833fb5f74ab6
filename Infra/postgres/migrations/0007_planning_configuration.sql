-- What release managers configure in shipboard-planning: release templates, approver
-- groups and the severity of each phase's exit criteria. Also the release fields that
-- templates preset (job plan) and that the record lacked (target date is in 0005).
--
-- Settings are plain rows, edited only through planning commands (which audit them under
-- the chain key CONFIGURATION).
CREATE OR REPLACE FUNCTION public.shipboard_create_planning_configuration_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format('ALTER TABLE %I.releases ADD COLUMN IF NOT EXISTS job_plan_name text', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.release_templates (
            name           text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
            description    text NOT NULL DEFAULT '',
            type           text NOT NULL CHECK (type IN ('major', 'minor', 'emergency', 'standard')),
            impact         text CHECK (impact IN ('high', 'medium', 'low')),
            urgency        text CHECK (urgency IN ('high', 'medium', 'low')),
            risk           text CHECK (risk IN ('low', 'medium', 'high', 'critical')),
            job_plan_name  text,
            gates          jsonb NOT NULL DEFAULT '{}'::jsonb,
            retired        boolean NOT NULL DEFAULT false,
            version        integer NOT NULL DEFAULT 1,
            updated_by     text NOT NULL,
            updated_at     timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.approver_group_members (
            group_name text NOT NULL CHECK (group_name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
            member     text NOT NULL CHECK (length(member) BETWEEN 1 AND 200),
            added_by   text NOT NULL,
            added_at   timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (group_name, member)
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS approver_group_members_member ON %I.approver_group_members (member)',
                   target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.exit_criteria_settings (
            phase      text NOT NULL CHECK (phase IN
                           ('initiate', 'plan', 'build', 'test', 'rollout_plan', 'prepare', 'deploy', 'review')),
            criterion  text NOT NULL CHECK (criterion ~ '^[a-z][a-z0-9_]{0,63}$'),
            severity   text NOT NULL CHECK (severity IN ('warning', 'error')),
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (phase, criterion)
        )$sql$, target_schema);
END
$$;

-- Every table shipboard-planning uses, in one call: what the service's migrations create
-- in `planning`, for tests and benchmarks that work in a schema of their own.
CREATE OR REPLACE FUNCTION public.shipboard_create_planning_schema(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.shipboard_create_messaging_tables(target_schema);
    PERFORM public.shipboard_create_planning_ci_tables(target_schema);
    PERFORM public.shipboard_create_planning_audit_tables(target_schema);
    PERFORM public.shipboard_create_planning_release_tables(target_schema);
    PERFORM public.shipboard_create_planning_configuration_tables(target_schema);
END
$$;

SELECT public.shipboard_create_planning_configuration_tables('planning');
