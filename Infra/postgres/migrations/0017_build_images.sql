-- shipboard-build: image specs (what goes into a release's software image) and builds.
--
-- image_specs / image_spec_files: one spec per release, its files as rows (name in the
--   image, source under the import root, executable or not); saving a spec replaces them.
-- image_builds: every build attempt's outcome, kept: the archive's SHA-256, size and
--   manifest when built, the reason when not. The archive itself lives in the image store
--   (a folder, content-addressed), never in the database.
CREATE OR REPLACE FUNCTION public.shipboard_create_build_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.image_specs (
            release_key    text PRIMARY KEY CHECK (length(release_key) BETWEEN 1 AND 40),
            name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            version        text NOT NULL CHECK (length(version) BETWEEN 1 AND 50),
            target_classes text[] NOT NULL DEFAULT '{}',
            revision       integer NOT NULL DEFAULT 1 CHECK (revision > 0),
            saved_by       text NOT NULL,
            saved_at       timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.image_spec_files (
            release_key text NOT NULL REFERENCES %I.image_specs (release_key) ON DELETE CASCADE,
            path        text NOT NULL CHECK (length(path) BETWEEN 1 AND 255),
            source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
            executable  boolean NOT NULL,
            PRIMARY KEY (release_key, path)
        )$sql$, target_schema, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.image_builds (
            id           bigserial PRIMARY KEY,
            release_key  text NOT NULL,
            task_key     text NOT NULL,
            spec_revision integer,
            outcome      text NOT NULL CHECK (outcome IN ('built', 'failed')),
            sha256       text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
            size         bigint CHECK (size >= 0),
            manifest     jsonb,
            reason       text,
            requested_by text NOT NULL,
            finished_at  timestamptz NOT NULL DEFAULT now(),
            CHECK ((outcome = 'built') = (sha256 IS NOT NULL AND size IS NOT NULL AND manifest IS NOT NULL AND reason IS NULL))
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS image_builds_release ON %I.image_builds (release_key, id)', target_schema);
END
$$;

CREATE OR REPLACE FUNCTION public.shipboard_create_build_schema(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.shipboard_create_messaging_tables(target_schema);
    PERFORM public.shipboard_create_build_tables(target_schema);
END
$$;

SELECT public.shipboard_create_build_tables('build');
