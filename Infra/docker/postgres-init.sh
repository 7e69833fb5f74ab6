#!/usr/bin/env bash
# Creates Shipboard's roles and database in the official postgres image, as
# Infra/scripts/postgres.sh does for local servers. compose.yaml mounts it into
# /docker-entrypoint-initdb.d/, so the image's entrypoint runs it once, on the first start
# with an empty data volume (a later password change is an ALTER ROLE; see README
# "Containers").
#
#   shipboard          owns the database and its schemas; runs the migrations
#                      (shipboard-migrate only)
#   shipboard_service  what the services log in as: owns nothing, so it can neither disable
#                      the audit triggers nor change privileges; migration 0006 grants it
#                      what the services need (and not UPDATE/DELETE/TRUNCATE on audit rows)
#
# Passwords come from the environment (SHIPBOARD_DB_OWNER_PASSWORD,
# SHIPBOARD_DB_SERVICE_PASSWORD), reach psql through \getenv (never argv, never spliced into
# SQL) and are quoted by psql (:'var'). Idempotent, like postgres.sh.
set -euo pipefail

: "${SHIPBOARD_DB_OWNER_PASSWORD:?SHIPBOARD_DB_OWNER_PASSWORD must be set (the owner role shipboard)}"
: "${SHIPBOARD_DB_SERVICE_PASSWORD:?SHIPBOARD_DB_SERVICE_PASSWORD must be set (the service role shipboard_service)}"

psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" <<'SQL'
\getenv ownerpass SHIPBOARD_DB_OWNER_PASSWORD
\getenv servicepass SHIPBOARD_DB_SERVICE_PASSWORD
SET client_min_messages = warning;
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shipboard') AS need_role \gset
\if :need_role
CREATE ROLE shipboard LOGIN PASSWORD :'ownerpass';
\else
ALTER ROLE shipboard LOGIN PASSWORD :'ownerpass';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shipboard_service') AS need_role \gset
\if :need_role
CREATE ROLE shipboard_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'servicepass';
\else
ALTER ROLE shipboard_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'servicepass';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'shipboard') AS need_db \gset
\if :need_db
CREATE DATABASE shipboard OWNER shipboard;
\endif
SQL
echo "shipboard: roles shipboard, shipboard_service and database shipboard are ready"
