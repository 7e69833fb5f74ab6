-- Appending to the audit trail in one round trip: take the chain's advisory lock, read the
-- last entry and insert the next one, chained to it (0004 describes the chain). Before,
-- the service sent the lock and the insert as two statements; a lifecycle command writes
-- two or three entries, so this saves as many round trips per command.
--
-- Runs with the caller's privileges (not SECURITY DEFINER): the service role needs only
-- INSERT and SELECT on the audit table. `target_schema` is quoted with %I; every value is
-- passed with USING.
CREATE OR REPLACE FUNCTION public.shipboard_audit_append(
    target_schema text, entry_key text, entry_actor text, entry_action text, entry_details jsonb)
RETURNS TABLE (seq integer, occurred_at timestamptz, previous_hash text, hash text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(target_schema || '/audit/' || entry_key, 0));
    RETURN QUERY EXECUTE format($sql$
        WITH previous AS (
            SELECT coalesce((SELECT a.seq FROM %1$I.audit_log a WHERE a.release_key = $1 ORDER BY a.seq DESC LIMIT 1), 0) AS seq,
                   coalesce((SELECT a.hash FROM %1$I.audit_log a WHERE a.release_key = $1 ORDER BY a.seq DESC LIMIT 1),
                            repeat('0', 64)) AS hash
        ), entry AS (
            SELECT previous.seq + 1 AS seq, previous.hash AS previous_hash, now() AS occurred_at FROM previous
        )
        INSERT INTO %1$I.audit_log (release_key, seq, actor, action, details, occurred_at, previous_hash, hash)
        SELECT $1, entry.seq, $2, $3, $4, entry.occurred_at, entry.previous_hash,
               public.shipboard_audit_hash(entry.previous_hash, $1, entry.seq, $2, $3, $4, entry.occurred_at)
        FROM entry
        RETURNING audit_log.seq, audit_log.occurred_at, audit_log.previous_hash, audit_log.hash
        $sql$, target_schema)
    USING entry_key, entry_actor, entry_action, entry_details;
END
$$;
