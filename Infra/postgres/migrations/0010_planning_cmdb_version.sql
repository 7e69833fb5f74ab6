-- A version number of the CMDB (issue 9, performance): every statement that changes
-- configuration items or their relationships bumps `cmdb_version.version` in its own
-- transaction, so a reader that caches the CMDB graph (CMDBSnapshot) knows with one indexed
-- read whether its copy is still the current one. Statement-level triggers: an import of
-- thousands of CIs bumps it once per statement, and the CMDB lock already serializes writers.
CREATE OR REPLACE FUNCTION public.shipboard_cmdb_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE %I.cmdb_version SET version = version + 1', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;

-- The CI tables as 0003 made them, then the version and its triggers: 0003's function keeps
-- its body under a new name, and the old name (called by shipboard_create_planning_schema and
-- the benchmarks) now does both.
ALTER FUNCTION public.shipboard_create_planning_ci_tables(text) RENAME TO shipboard_create_planning_ci_tables_0003;

CREATE FUNCTION public.shipboard_create_planning_ci_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    watched text;
BEGIN
    PERFORM public.shipboard_create_planning_ci_tables_0003(target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.cmdb_version (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            version   bigint NOT NULL DEFAULT 0
        )$sql$, target_schema);
    EXECUTE format('INSERT INTO %I.cmdb_version (singleton, version) VALUES (true, 0) ON CONFLICT DO NOTHING', target_schema);
    FOREACH watched IN ARRAY ARRAY['configuration_items', 'ci_relationships'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I.%I', watched || '_cmdb_version', target_schema, watched);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION public.shipboard_cmdb_version_bump()',
            watched || '_cmdb_version', target_schema, watched);
    END LOOP;
END
$$;

SELECT public.shipboard_create_planning_ci_tables('planning');
