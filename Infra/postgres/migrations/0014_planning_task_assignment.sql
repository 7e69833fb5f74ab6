-- Group assignment by policy (issue 11). A task owned by a group gets a member of the group
-- as assignee when it becomes ready: in turn (`round_robin`, the default) or to the member
-- with the fewest open tasks across all releases (`least_loaded`).
--
-- A group's policy and where its turn stands live in one row per group that was ever
-- configured or assigned; a group without a row is round_robin starting from the first
-- member. `last_assigned` is updated in the transaction that assigns, under the row's lock,
-- so two releases assigning for one group at once take turns.
CREATE OR REPLACE FUNCTION public.shipboard_create_planning_task_assignment_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.group_assignment (
            group_name    text PRIMARY KEY CHECK (group_name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
            policy        text NOT NULL DEFAULT 'round_robin' CHECK (policy IN ('round_robin', 'least_loaded')),
            last_assigned text,
            updated_at    timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
    -- least_loaded counts open tasks per assignee across releases: only open rows are indexed.
    EXECUTE format($sql$
        CREATE INDEX IF NOT EXISTS work_plan_tasks_open_by_assignee ON %I.work_plan_tasks (assignee)
        WHERE state IN ('ready', 'in_progress') AND assignee IS NOT NULL
        $sql$, target_schema);
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
END
$$;

SELECT public.shipboard_create_planning_task_assignment_tables('planning');
