import type { Pool } from 'pg'
import { StoreError } from '../core/errors.js'

/** The version of the tables this code reads and writes. */
export const SCHEMA_VERSION = 1

/** A quoted SQL identifier. @internal */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

const ready = new WeakMap<Pool, Map<string, Promise<void>>>()

/**
 * Creates the tables of `schema` on first use (under an advisory lock, so processes starting
 * together do not race) and checks their version: one row per store (head, lease), the
 * journal's rows, and snapshots as chunked rows. Once per pool and schema.
 * @throws StoreError `VERSION_TOO_NEW` when the tables were made by a newer version of prevalent.
 * @internal
 */
export function ensureSchema(pool: Pool, schema: string): Promise<void> {
  let bySchema = ready.get(pool)
  if (!bySchema) ready.set(pool, (bySchema = new Map()))
  let done = bySchema.get(schema)
  if (!done) {
    done = create(pool, schema)
    bySchema.set(schema, done)
    done.catch(() => bySchema.delete(schema))
  }
  return done
}

async function create(pool: Pool, schema: string): Promise<void> {
  const s = ident(schema)
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`prevalent schema ${schema}`])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value text NOT NULL)`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.stores (name text PRIMARY KEY, head bigint NOT NULL DEFAULT 0, epoch bigint NOT NULL DEFAULT 0, holder text, expires_at timestamptz)`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.journal (store text NOT NULL, seq bigint NOT NULL, time timestamptz NOT NULL, name text NOT NULL, line text NOT NULL, PRIMARY KEY (store, seq))`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.snapshots (store text NOT NULL, seq bigint NOT NULL, bytes bigint NOT NULL, chunks integer NOT NULL, PRIMARY KEY (store, seq))`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.snapshot_chunks (store text NOT NULL, seq bigint NOT NULL, chunk integer NOT NULL, lines text NOT NULL, PRIMARY KEY (store, seq, chunk))`)
    await client.query(`INSERT INTO ${s}.meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`, [String(SCHEMA_VERSION)])
    const { rows } = await client.query(`SELECT value FROM ${s}.meta WHERE key = 'schema_version'`)
    await client.query('COMMIT')
    const version = Number(rows[0].value)
    if (version > SCHEMA_VERSION) throw new StoreError('VERSION_TOO_NEW', `PostgreSQL schema ${schema} holds tables of version ${version}; this prevalent reads version ${SCHEMA_VERSION} at most: upgrade prevalent`, { location: `postgresql:${schema}` })
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}
