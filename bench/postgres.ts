// PostgreSQL journal benchmark, ratios in one run: the journal (durable, fenced) one at a time
// and with 256 in flight, against the raw limit of the same rows on the same server (one INSERT
// per commit; one multi-row INSERT per 256); follower lag (file and PostgreSQL, NOTIFY
// coalesced and per append); failover time over a few rounds with a 5 s lease.
//
//   npm run bench:postgres -- [--n 3000] [--flight-n 60000] [--failover-rounds 3] [--lease 5000]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createStore, FileJournalStorage } from '../lib/index.js'
import { PostgresJournalStorage, type PostgresJournalOptions } from '../lib/postgres/index.js'
import { numberArg } from './args.js'
import { ledger } from './failover/ledger.js'
import { runChain, summary } from './failover/rounds.js'
import { followerLag } from './postgres/lag.js'

const n = numberArg('n', 3000)
const flightN = numberArg('flight-n', 60_000)
const failoverRounds = numberArg('failover-rounds', 3)
const leaseMs = numberArg('lease', 5000)
const url = process.env.PREVALENT_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `prevalent_bench_${process.pid}`
const pool = new pg.Pool({ connectionString: url, max: 4 })
pool.on('error', () => {})
let stores = 0
const storage = (options: Partial<PostgresJournalOptions> = {}): PostgresJournalStorage => new PostgresJournalStorage({ pool, schema, store: `s${stores++}`, ...options })
const line = (id: number, seq: number): string => `{"seq":${seq},"time":"2026-12-03T00:00:00.000Z","tx":"put","args":["id-${id}"],"crc":"00000000"}`

/** The raw limit: the same rows, `perStatement` per INSERT, statements one after another on one connection. */
async function raw(rows: number, perStatement: number): Promise<number> {
  await storage().open({ write: false })
  const client = await pool.connect()
  const store = `raw${stores++}`
  const sql = `INSERT INTO "${schema}".journal (store, seq, time, name, line) SELECT $1, r.seq, r.time, r.name, r.line FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[]) AS r(seq, time, name, line)`
  const started = performance.now()
  for (let seq = 1; seq <= rows; seq += perStatement) {
    const seqs = Array.from({ length: perStatement }, (_, i) => seq + i)
    await client.query(sql, [store, seqs, seqs.map(() => '2026-12-03T00:00:00.000Z'), seqs.map(() => 'put'), seqs.map((s) => line(s, s))])
  }
  client.release()
  return (rows / (performance.now() - started)) * 1000
}

/** The journal: a store on PostgreSQL, `inFlight` callers dispatching until `rows` are acknowledged. */
async function journal(rows: number, inFlight: number, options: Partial<PostgresJournalOptions> = {}): Promise<number> {
  const store = await createStore(ledger, { storage: storage(options), snapshots: false })
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < rows) await store.dispatch('put', `id-${next++}`)
  }))
  const tps = (store.seq / (performance.now() - started)) * 1000
  await store.close()
  return tps
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US')
const out: string[] = []
const say = (text: string): void => {
  out.push(text)
  console.log(text)
}
try {
  const rawOne = await raw(n, 1)
  const oneByOne = await journal(n, 1)
  say(`pg journal, durable, one at a time: ${fmt(oneByOne)} tx/s; raw limit (one INSERT per commit): ${fmt(rawOne)} tx/s; ratio ${(oneByOne / rawOne).toFixed(2)}x (goal >= 0.9x)`)
  const rawMany = await raw(flightN, 256)
  const many = await journal(flightN, 256)
  say(`pg journal, durable, 256 in flight: ${fmt(many)} tx/s; raw limit (one 256-row INSERT per commit): ${fmt(rawMany)} tx/s; ratio ${(many / rawMany).toFixed(2)}x (goal >= 0.7x, >= 20,000 tx/s)`)
  const coalesced = await journal(flightN, 256, { notify: 'coalesced' })
  say(`pg journal, 256 in flight, NOTIFY coalesced (a transaction of its own, one at a time): ${fmt(coalesced)} tx/s (NOTIFY in every append, the default: ${fmt(many)} tx/s)`)
  const dir = mkdtempSync(join(tmpdir(), 'prevalent-lag-'))
  try {
    const file = await followerLag(new FileJournalStorage(dir), new FileJournalStorage(dir), 3000, 32)
    say(`follower lag, file journal (32 in flight): p50 ${file.p50.toFixed(2)} ms, p99 ${file.p99.toFixed(2)} ms over ${file.entries} entries (goal p99 <= 10 ms)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  for (const notify of ['per-append', 'coalesced'] as const) {
    const name = `lag${stores++}`
    const make = (): PostgresJournalStorage => new PostgresJournalStorage({ pool, schema, store: name, notify })
    const lag = await followerLag(make(), make(), 3000, 32)
    say(`follower lag, PostgreSQL, NOTIFY ${notify} (32 in flight): p50 ${lag.p50.toFixed(2)} ms, p99 ${lag.p99.toFixed(2)} ms over ${lag.entries} entries (goal p99 <= 10 ms)`)
  }
  if (failoverRounds > 0) {
    const chain = await runChain(pool, { url, schema, store: 'failover', leaseMs, faults: Array.from({ length: failoverRounds }, () => 'kill' as const), acksBefore: () => 200 })
    say(summary([chain], leaseMs).replace('failover loop', 'failover (SIGKILL)') + ` (goal <= lease + 1 s = ${leaseMs + 1000} ms)`)
  }
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
  await pool.end()
}
