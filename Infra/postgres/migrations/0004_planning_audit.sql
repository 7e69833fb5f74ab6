-- The audit trail of shipboard-planning: append-only and hash-chained per release.
--
-- Each row holds the hash of its predecessor (previous_hash; 64 zeros for a release's first
-- row) and its own hash over (previous_hash, release_key, seq, actor, action, details,
-- occurred_at), so changing or removing any row breaks the chain from that row on.
-- Rows are written in the same transaction as the change they record. A trigger refuses
-- UPDATE and DELETE (and TRUNCATE) for every role; only the table owner could disable it,
-- and then `verify` still finds the edited row.
CREATE OR REPLACE FUNCTION public.shipboard_audit_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

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

-- The hash of one row: SHA-256 (hex) over its fields joined by '|', with the time in UTC
-- at microsecond precision (what timestamptz stores), so it can be recomputed exactly.
CREATE OR REPLACE FUNCTION public.shipboard_audit_hash(
    previous_hash text, release_key text, seq integer, actor text, action text, details jsonb, occurred_at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT encode(sha256(convert_to(concat_ws('|',
        previous_hash, release_key, seq::text, actor, action, details::text,
        to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8')), 'hex')
$$;

SELECT public.shipboard_create_planning_audit_tables('planning');
