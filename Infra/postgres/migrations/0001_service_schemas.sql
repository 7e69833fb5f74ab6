-- One schema per service (ARCHITECTURE.md, "State").
-- Ownership rule: each service writes only its own schema (including its outbox and inbox
-- tables); other services may read it. Cross-service changes travel as AMQP messages.
--   planning  shipboard-planning: releases, phases, approvals, changes, CIs, job plans, tasks, audit
--   build     shipboard-build: software images and their content-addressed artifacts
--   testing   shipboard-testing: test plans, results, acceptance, the DML
--   rollout   shipboard-rollout: rollout plans, waves, deploy jobs
--   notify    shipboard-notify: stakeholders, subscriptions, templates, deliveries
--   gateway   shipboard-gateway: sessions, API tokens, idempotency keys
CREATE SCHEMA IF NOT EXISTS planning;
CREATE SCHEMA IF NOT EXISTS build;
CREATE SCHEMA IF NOT EXISTS testing;
CREATE SCHEMA IF NOT EXISTS rollout;
CREATE SCHEMA IF NOT EXISTS notify;
CREATE SCHEMA IF NOT EXISTS gateway;

COMMENT ON SCHEMA planning IS 'Owned by shipboard-planning; only it writes here.';
COMMENT ON SCHEMA build IS 'Owned by shipboard-build; only it writes here.';
COMMENT ON SCHEMA testing IS 'Owned by shipboard-testing; only it writes here.';
COMMENT ON SCHEMA rollout IS 'Owned by shipboard-rollout; only it writes here.';
COMMENT ON SCHEMA notify IS 'Owned by shipboard-notify; only it writes here.';
COMMENT ON SCHEMA gateway IS 'Owned by shipboard-gateway; only it writes here.';
