-- The audit trail becomes tamper-evident against every database role (issue 9, item 5).
--
-- Until now each row held a SHA-256 the database computed over fields joined by '|': anyone
-- able to insert rows (the service role) could append a forged entry that verified, the owner
-- could rewrite rows and recompute the hashes, cut a chain's tail or delete a chain
-- unnoticed, and '|' inside a field made the input ambiguous. Now:
--   - `mac` is an HMAC-SHA256 computed in the service (Swift, swift-crypto) over a canonical,
--     length-prefixed encoding, with a key the database never sees; `key_id` names the key, so
--     keys can be rotated; `previous_mac` links the chain as before;
--   - where each chain ends is stored apart from it: `releases.audit_seq` / `audit_mac` for a
--     release's chain (written by the same save that changes the release), and
--     `audit_chain_heads` for shared chains (CMDB, CONFIGURATION);
--   - the SQL hash function is dropped: verification happens in the service.
-- Rows written before this migration keep `key_id` 'sha256-v1' and no longer verify: the key
-- that would authenticate them never existed (no deployment has such rows to keep).
CREATE OR REPLACE FUNCTION public.shipboard_create_planning_audit_heads(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = target_schema AND table_name = 'audit_log' AND column_name = 'hash') THEN
        EXECUTE format('ALTER TABLE %I.audit_log RENAME COLUMN hash TO mac', target_schema);
        EXECUTE format('ALTER TABLE %I.audit_log RENAME COLUMN previous_hash TO previous_mac', target_schema);
    END IF;
    EXECUTE format($sql$ALTER TABLE %I.audit_log ADD COLUMN IF NOT EXISTS key_id text NOT NULL DEFAULT 'sha256-v1'
                        CHECK (key_id ~ '^[a-z0-9_-]{1,32}$')$sql$, target_schema);
    EXECUTE format('ALTER TABLE %I.audit_log ALTER COLUMN key_id DROP DEFAULT', target_schema);
    EXECUTE format('ALTER TABLE %I.audit_log ALTER COLUMN occurred_at DROP DEFAULT', target_schema);

    EXECUTE format($sql$ALTER TABLE %I.releases ADD COLUMN IF NOT EXISTS audit_seq integer NOT NULL DEFAULT 0
                        CHECK (audit_seq >= 0)$sql$, target_schema);
    EXECUTE format($sql$ALTER TABLE %I.releases ADD COLUMN IF NOT EXISTS audit_mac text NOT NULL DEFAULT %L
                        CHECK (audit_mac ~ '^[0-9a-f]{64}$')$sql$, target_schema, repeat('0', 64));

    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.audit_chain_heads (
            chain_key text PRIMARY KEY,
            seq       integer NOT NULL CHECK (seq > 0),
            mac       text NOT NULL CHECK (mac ~ '^[0-9a-f]{64}$')
        )$sql$, target_schema);
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
END
$$;

SELECT public.shipboard_create_planning_audit_heads('planning');

DROP FUNCTION IF EXISTS public.shipboard_audit_hash(text, text, integer, text, text, jsonb, timestamptz);
