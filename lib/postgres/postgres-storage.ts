import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { crc32 } from '../core/crc32.js'
import pg from 'pg'
import { StoreError } from '../core/errors.js'
import type { JournalChunk, JournalStorage, SegmentInfo, SnapshotStorage, TailOptions } from '../core/storage.js'
import { Lease } from './lease.js'
import { ensureSchema, ident } from './schema.js'
import { PostgresSnapshots } from './snapshots.js'
import { tailRows } from './tail.js'
import { appendStatement, entryRows } from './append.js'
import { Notifier } from './notifier.js'

/** Options of {@link PostgresJournalStorage}. */
export interface PostgresJournalOptions {
  /** A node-postgres pool (yours: it stays open when the storage closes), or a connection string (a pool of its own). */
  readonly pool: pg.Pool | string
  /** The store's name: several stores share one database (and schema) by name. */
  readonly store: string
  /** The PostgreSQL schema holding the tables (default `'prevalent'`; created on first open). */
  readonly schema?: string
  /** A writer's lease in milliseconds (default 5000): a standby takes over at most this long after the writer is gone. */
  readonly leaseMs?: number
  /**
   * How the writer wakes followers: `'per-append'` (default: a NOTIFY in each append's own
   * statement, no extra round trip) or `'coalesced'` (one NOTIFY at a time on another connection
   * after commits; each is a transaction of its own, which measured slower with one writer).
   */
  readonly notify?: 'coalesced' | 'per-append'
  /** A tail's safety poll when no notification came (default 1000 ms). */
  readonly pollMs?: number
  /** Names this writer in the lease (default: host, pid and a random id). */
  readonly holder?: string
}

/**
 * A journal (and its snapshots) in PostgreSQL, shared by a writer and any number of followers
 * on any machine. Each entry is a row holding the same line as the file journal. An append
 * commits only if the store's head is still the seq this writer expects and its lease's epoch
 * is still current, in the same statement as the rows (one round trip per batch): gaps, forks
 * and lost appends cannot happen, and a writer that lost its lease halts with `FENCED`.
 * A dispatch resolves once PostgreSQL has committed (durable with `synchronous_commit` on).
 *
 * @example
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const store = await createStore(bank, { storage: new PostgresJournalStorage({ pool, store: 'bank' }) })
 */
export class PostgresJournalStorage implements JournalStorage {
  readonly location: string
  readonly snapshots: SnapshotStorage
  readonly #pool: pg.Pool
  readonly #ownPool: boolean
  readonly #schema: string
  readonly #store: string
  readonly #leaseMs: number
  readonly #pollMs: number
  readonly #holder: string
  readonly #channel: string
  readonly #notifier: Notifier | null
  readonly #perAppend: boolean
  #lease: Lease | null = null
  #head = 0
  #pending: string[] = []

  constructor(options: PostgresJournalOptions) {
    this.#ownPool = typeof options.pool === 'string'
    this.#pool = typeof options.pool === 'string' ? new pg.Pool({ connectionString: options.pool }) : options.pool
    this.#schema = options.schema ?? 'prevalent'
    this.#store = options.store
    this.#leaseMs = options.leaseMs ?? 5000
    this.#pollMs = options.pollMs ?? 1000
    this.#holder = options.holder ?? `${hostname()} pid ${process.pid} ${randomUUID().slice(0, 8)}`
    this.location = `postgresql:${this.#schema}/${this.#store}`
    const channel = `prevalent.${this.#schema}.${this.#store}`
    this.#channel = Buffer.byteLength(channel) <= 63 ? channel : `prevalent.${crc32(channel).toString(16)}`
    this.#perAppend = options.notify !== 'coalesced'
    this.#notifier = this.#perAppend ? null : new Notifier(this.#pool, this.#channel)
    this.snapshots = new PostgresSnapshots(this.#pool, this.#schema, this.#store, this.location)
  }

  async open({ write }: { write: boolean }): Promise<void> {
    try {
      await ensureSchema(this.#pool, this.#schema)
      await this.#pool.query(`INSERT INTO ${ident(this.#schema)}.stores (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [this.#store])
    } catch (cause) {
      if (cause instanceof StoreError) throw cause
      throw new StoreError('STORAGE_UNAVAILABLE', `PostgreSQL (${this.location}) could not be opened: ${(cause as Error).message}`, { location: this.location }, { cause })
    }
    if (!write) return
    const { lease, head } = await Lease.acquire(this.#pool, this.#schema, this.#store, this.#leaseMs, this.#holder)
    this.#lease = lease
    this.#head = head
  }

  async *read(fromSeq = 1): AsyncIterable<JournalChunk> {
    let next = fromSeq
    let first = true
    for (;;) {
      const { rows } = await this.#pool.query(`SELECT seq, line FROM ${ident(this.#schema)}.journal WHERE store = $1 AND seq >= $2 ORDER BY seq LIMIT 10000`, [this.#store, next])
      if (rows.length === 0) return
      const firstSeq = Number(rows[0].seq)
      yield { offset: firstSeq, lines: rows.map((row) => row.line as string), ...(first && { segment: { firstSeq, location: `${this.location}#${firstSeq}` } }) }
      first = false
      next = Number(rows[rows.length - 1].seq) + 1
    }
  }

  async truncate(offset: number): Promise<void> {
    throw new StoreError('JOURNAL_CORRUPT', `${this.location}: rows are never torn, and damaged ones are not cut off automatically (asked to cut at ${offset}); repair the rows by hand`, { location: this.location })
  }

  async append(text: string): Promise<void> {
    this.#pending.push(text)
  }

  /** Commits the entries appended since the last sync, fenced, in one statement. */
  async sync(): Promise<void> {
    if (this.#pending.length === 0) return
    const lease = this.#lease
    if (!lease) throw new StoreError('INVALID_DEFINITION', `${this.location} is not open for writing`, { location: this.location })
    lease.check()
    const rows = entryRows(this.#pending.join(''))
    this.#pending = []
    const last = rows.seq[rows.seq.length - 1]
    if (rows.seq[0] !== this.#head + 1) throw lease.lose(`expected the next entry to be seq ${this.#head + 1}, was asked to append seq ${rows.seq[0]}`)
    let result
    try {
      result = await this.#pool.query(appendStatement(this.#schema, this.#perAppend), [this.#store, this.#head, last, lease.epoch, rows.seq, rows.time, rows.name, rows.line, ...(this.#perAppend ? [this.#channel] : [])])
    } catch (error) {
      // Whether it committed is unknown: the store halts, and its lease is left to expire so a standby takes over.
      lease.lose(`an append failed (${(error as Error).message})`)
      throw error
    }
    if (Number(result.rows[0].inserted) !== rows.seq.length) throw lease.lose(`the append of seq ${rows.seq[0]} to ${last} was refused: the head is no longer seq ${this.#head} at epoch ${lease.epoch}`)
    this.#head = last
    this.#notifier?.notify(last)
  }

  /** Rows are committed (acknowledged) by {@link sync} itself: nothing to publish. */
  acknowledge(): void {}

  /** Follows the store's rows from any process or machine: LISTEN/NOTIFY, with a safety poll. */
  tail(fromSeq: number, options: TailOptions): AsyncIterable<JournalChunk> {
    return tailRows({ pool: this.#pool, schema: this.#schema, store: this.#store, channel: this.#channel, location: this.location, pollMs: this.#pollMs }, fromSeq, options)
  }

  async holder(): Promise<string | null> {
    const { rows } = await this.#pool.query(`SELECT holder, expires_at FROM ${ident(this.#schema)}.stores WHERE name = $1 AND expires_at > clock_timestamp()`, [this.#store])
    return rows.length > 0 ? `${rows[0].holder}, lease until ${new Date(rows[0].expires_at).toISOString()}` : null
  }

  async segments(): Promise<SegmentInfo[]> {
    const { rows } = await this.#pool.query(`SELECT min(seq) AS first FROM ${ident(this.#schema)}.journal WHERE store = $1`, [this.#store])
    const firstSeq = rows[0].first === null ? this.#head + 1 : Number(rows[0].first)
    return [{ firstSeq, location: `${this.location}#${firstSeq}` }]
  }

  /** Retention: removes the rows at or before `seq` (a snapshot covers them); resolves with 1 if any went. */
  async removeSegmentsThrough(seq: number): Promise<number> {
    const { rowCount } = await this.#pool.query(`DELETE FROM ${ident(this.#schema)}.journal WHERE store = $1 AND seq <= $2`, [this.#store, seq])
    return rowCount ? 1 : 0
  }

  async close(): Promise<void> {
    await this.#notifier?.idle()
    await this.#lease?.release()
    this.#lease = null
    if (this.#ownPool) await this.#pool.end()
  }
}
