-- Releases and the change requests added to them (shipboard-planning).
--
-- Release keys come from a sequence: REL-000001, REL-000002, ... Phase and status use the
-- words of ARCHITECTURE.md. A change request is copied in when it is added (the change
-- management system stays the owner of the original); only approved changes may be added.
CREATE OR REPLACE FUNCTION public.shipboard_create_planning_release_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I.release_key_seq', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.releases (
            key             text PRIMARY KEY CHECK (key ~ '^REL-[0-9]{6,}$'),
            title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
            description     text NOT NULL DEFAULT '',
            type            text NOT NULL CHECK (type IN ('major', 'minor', 'emergency', 'standard')),
            impact          text NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
            urgency         text NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
            priority        text NOT NULL,
            risk            text NOT NULL DEFAULT 'medium',
            justification   text NOT NULL DEFAULT '',
            requester       text NOT NULL,
            coordinator     text NOT NULL,
            scheduled_start timestamptz,
            scheduled_end   timestamptz,
            target_date     date,
            template        text,
            phase           text NOT NULL DEFAULT 'initiate' CHECK (phase IN
                                ('initiate', 'plan', 'build', 'test', 'rollout_plan', 'prepare', 'deploy', 'review')),
            status          text NOT NULL DEFAULT 'draft' CHECK (status IN
                                ('draft', 'pending_approval', 'in_progress', 'on_hold', 'rejected', 'cancelled',
                                 'backed_out', 'completed')),
            state           jsonb NOT NULL DEFAULT '{}'::jsonb,
            version         integer NOT NULL DEFAULT 1,
            created_at      timestamptz NOT NULL DEFAULT now(),
            updated_at      timestamptz NOT NULL DEFAULT now(),
            CHECK (scheduled_end IS NULL OR scheduled_start IS NULL OR scheduled_end >= scheduled_start)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.release_changes (
            release_key   text NOT NULL REFERENCES %I.releases (key),
            external_id   text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 64),
            title         text NOT NULL,
            status        text NOT NULL,
            risk          text NOT NULL,
            affected_cis  text[] NOT NULL DEFAULT '{}',
            added_by      text NOT NULL,
            added_at      timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (release_key, external_id)
        )$sql$, target_schema, target_schema);
END
$$;

SELECT public.shipboard_create_planning_release_tables('planning');
