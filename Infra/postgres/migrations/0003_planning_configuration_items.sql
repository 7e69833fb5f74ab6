-- Configuration items (CIs) and their relationships, owned by shipboard-planning.
--
-- configuration_items: one row per CI; `key` is the business key (e.g. CI-APP-0001) that
--   imports and APIs use; `class` is one of a closed list; `attributes` is a JSON object.
-- ci_relationships: directed edges `source kind target`, read "source depends_on target".
--   The primary key (source_id, target_id, kind) serves "what does X use" (dependencies);
--   ci_relationships_by_target serves "who uses X" (dependents), the direction impact
--   queries walk. A CI never relates to itself; cycles of two or more CIs are allowed
--   here and reported by the service (CIRepository.findCycles) instead of refused.
-- The DDL is a function so that tests can create the same tables in a schema of their own.
CREATE OR REPLACE FUNCTION public.shipboard_create_planning_ci_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %1$I.configuration_items (
            id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            key        text NOT NULL UNIQUE CHECK (key ~ '^CI-[A-Z0-9]{2,12}-[0-9]{4,8}$'),
            name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            class      text NOT NULL CHECK (class IN ('software', 'server', 'application', 'service',
                           'database', 'network', 'site', 'storage', 'middleware')),
            site       text CHECK (site IS NULL OR length(site) BETWEEN 1 AND 100),
            attributes jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attributes) = 'object'),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS configuration_items_site ON %I.configuration_items (site) WHERE site IS NOT NULL', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %1$I.ci_relationships (
            source_id  uuid NOT NULL REFERENCES %1$I.configuration_items (id) ON DELETE CASCADE,
            target_id  uuid NOT NULL REFERENCES %1$I.configuration_items (id) ON DELETE CASCADE,
            kind       text NOT NULL CHECK (kind IN ('depends_on', 'runs_on', 'located_at', 'part_of')),
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (source_id, target_id, kind),
            CHECK (source_id <> target_id)
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS ci_relationships_by_target ON %I.ci_relationships (target_id, kind, source_id)', target_schema);
END
$$;

SELECT public.shipboard_create_planning_ci_tables('planning');
