-- Freeze windows and deployment overrides (issue 11). A freeze window is configuration: a
-- blackout or maintenance window in a named time zone, one-off or weekly, optionally limited
-- to sites or CI classes. Its schedule is stored as written (local wall-clock text), because
-- the instants it stands for depend on the zone's rules at each date; planning expands it.
--
-- A deployment override is a release manager's decision, with a reason, to deploy a release
-- despite the blackouts and collisions named in it, for the schedule the release had then.
-- One per release: a new override replaces the old one (both stay in the audit trail).
CREATE OR REPLACE FUNCTION public.shipboard_create_planning_freeze_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.freeze_windows (
            id          uuid PRIMARY KEY,
            name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
            kind        text NOT NULL CHECK (kind IN ('blackout', 'maintenance')),
            time_zone   text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
            schedule    jsonb NOT NULL CHECK (jsonb_typeof(schedule) = 'object'),
            sites       text[] NOT NULL DEFAULT '{}',
            ci_classes  text[] NOT NULL DEFAULT '{}',
            saved_by    text NOT NULL,
            saved_at    timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.deployment_overrides (
            release_key     text PRIMARY KEY REFERENCES %I.releases (key),
            actor           text NOT NULL,
            reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
            scheduled_start timestamptz,
            scheduled_end   timestamptz,
            windows         uuid[] NOT NULL DEFAULT '{}',
            releases        text[] NOT NULL DEFAULT '{}',
            recorded_at     timestamptz NOT NULL
        )$sql$, target_schema, target_schema);
    -- Collisions are looked for among releases whose windows overlap a given one.
    EXECUTE format('CREATE INDEX IF NOT EXISTS releases_scheduled_window ON %I.releases (scheduled_start, scheduled_end)
                    WHERE scheduled_start IS NOT NULL', target_schema);
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
    PERFORM public.shipboard_create_planning_task_assignment_tables(target_schema);
    PERFORM public.shipboard_create_planning_freeze_tables(target_schema);
END
$$;

SELECT public.shipboard_create_planning_freeze_tables('planning');
