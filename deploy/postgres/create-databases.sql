-- One login role and one database per service (the web console included: its
-- accounts); a service's role can connect to its own database only. Shared by
-- the embedded launcher and the compose initdb hook (init.sh), and safe to
-- re-run on an existing cluster: it creates what is missing and sets the
-- passwords to the ones given.
--
-- psql -v ON_ERROR_STOP=1 -v referrals_password=... -v matching_password=... \
--      -v sessions_password=... -v outcomes_password=... -v groups_password=... \
--      -v console_password=... \
--      -f create-databases.sql
\set ON_ERROR_STOP on

-- A missing -v variable would otherwise reach the server as literal text.
\if :{?referrals_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'create-databases.sql needs psql -v referrals_password=...'; END $$;
\endif
\if :{?matching_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'create-databases.sql needs psql -v matching_password=...'; END $$;
\endif
\if :{?sessions_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'create-databases.sql needs psql -v sessions_password=...'; END $$;
\endif
\if :{?outcomes_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'create-databases.sql needs psql -v outcomes_password=...'; END $$;
\endif
\if :{?groups_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'create-databases.sql needs psql -v groups_password=...'; END $$;
\endif
\if :{?console_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'create-databases.sql needs psql -v console_password=...'; END $$;
\endif

CREATE TEMPORARY TABLE peer_service (name text PRIMARY KEY, password text NOT NULL);
INSERT INTO peer_service VALUES
    ('referrals', :'referrals_password'),
    ('matching', :'matching_password'),
    ('sessions', :'sessions_password'),
    ('outcomes', :'outcomes_password'),
    ('groups', :'groups_password'),
    ('console', :'console_password');

-- CREATE ROLE/DATABASE have no IF NOT EXISTS and CREATE DATABASE cannot run in
-- a DO block, so generate the statements and run them with \gexec.
SELECT format('CREATE ROLE %I LOGIN', name)
  FROM peer_service WHERE name NOT IN (SELECT rolname FROM pg_roles) \gexec

-- The server hashes the password (scram-sha-256) before storing it.
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L',
              name, password)
  FROM peer_service \gexec

SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L', name, name, 'UTF8')
  FROM peer_service WHERE name NOT IN (SELECT datname FROM pg_database) \gexec
-- A database created earlier by someone else becomes the service's, so its
-- role owns the public schema (pg_database_owner) and can run migrations.
SELECT format('ALTER DATABASE %I OWNER TO %I', name, name) FROM peer_service \gexec

-- Every role may connect to any database by default (through PUBLIC); the
-- owner keeps its own rights.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', name) FROM peer_service \gexec

DROP TABLE peer_service;
