-- Privileges of `shipboard_service`, the login role the services use (ARCHITECTURE.md, "State").
--
-- The owner `shipboard` runs the migrations and owns every schema and table; an owner can
-- disable triggers and grant itself anything, so the append-only trigger of the audit trail
-- (0004) only protects it from roles that do not own it. The services therefore log in as
-- `shipboard_service` (created by Infra/scripts/postgres.sh), which owns nothing and gets:
--   - USAGE on the service schemas; SELECT, INSERT, UPDATE, DELETE on their tables;
--     USAGE, SELECT, UPDATE on their sequences;
--   - the same on tables and sequences that later migrations create (default privileges of
--     the role running the migrations, normally `shipboard`);
--   - SELECT only on audit tables: no UPDATE, DELETE or TRUNCATE, also for audit tables that
--     `shipboard_create_planning_audit_tables` creates from now on;
--   - SELECT on the migrator's history table, so a service connecting as this role can run
--     the migrator when nothing is pending (it then only reads).
-- Where the role does not exist (a database set up by other means) the grants are skipped
-- with a NOTICE, so this migration applies anywhere; roles are per cluster, so such a
-- database would need these grants made by hand once the role exists.

CREATE OR REPLACE FUNCTION public.shipboard_create_planning_audit_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.audit_log (
            release_key   text NOT NULL,
            seq           integer NOT NULL CHECK (seq > 0),
            actor         text NOT NULL,
            action        text NOT NULL,
            details       jsonb NOT NULL DEFAULT '{}'::jsonb,
            occurred_at   timestamptz NOT NULL DEFAULT now(),
            previous_hash text NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
            hash          text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
            PRIMARY KEY (release_key, seq)
        )$sql$, target_schema);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I.audit_log FROM PUBLIC', target_schema);
    -- Default privileges may have just granted the service role UPDATE and DELETE on the new
    -- table: take them back, so append-only holds by privilege, not only by trigger.
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shipboard_service') THEN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I.audit_log FROM shipboard_service', target_schema);
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS audit_log_append_only ON %I.audit_log', target_schema);
    EXECUTE format($sql$
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON %I.audit_log
        FOR EACH ROW EXECUTE FUNCTION public.shipboard_audit_is_append_only()$sql$, target_schema);
    EXECUTE format('DROP TRIGGER IF EXISTS audit_log_no_truncate ON %I.audit_log', target_schema);
    EXECUTE format($sql$
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON %I.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION public.shipboard_audit_is_append_only()$sql$, target_schema);
END
$$;

DO $$
DECLARE
    target_schema text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shipboard_service') THEN
        RAISE NOTICE 'role shipboard_service does not exist: its grants are skipped';
        RETURN;
    END IF;
    FOREACH target_schema IN ARRAY ARRAY['planning', 'build', 'testing', 'rollout', 'notify', 'gateway'] LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO shipboard_service', target_schema);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO shipboard_service', target_schema);
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO shipboard_service', target_schema);
        -- Tables and sequences that later migrations create (as the role running this one).
        EXECUTE format(
            'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO shipboard_service',
            current_user, target_schema);
        EXECUTE format(
            'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO shipboard_service',
            current_user, target_schema);
    END LOOP;
    REVOKE UPDATE, DELETE, TRUNCATE ON planning.audit_log FROM shipboard_service;
    -- The migrator's history table (PostgresMigrator's default, public.schema_migrations).
    IF to_regclass('public.schema_migrations') IS NOT NULL THEN
        GRANT SELECT ON public.schema_migrations TO shipboard_service;
    END IF;
END
$$;
