import type { Pool } from 'pg'
import type { SnapshotInfo, SnapshotStorage } from '../core/storage.js'
import { ident } from './schema.js'

/** Characters per snapshot row: a large state is stored (and read back) in pieces of this size. */
const CHUNK = 1 << 20

/**
 * Snapshots as rows of a PostgreSQL schema: one row naming it (seq, bytes, chunks) and its
 * lines in chunks of about 1 MiB, all written in one transaction, so a snapshot is whole or absent.
 * @internal
 */
export class PostgresSnapshots implements SnapshotStorage {
  readonly #pool: Pool
  readonly #s: string
  readonly #store: string
  readonly #location: string

  constructor(pool: Pool, schema: string, store: string, location: string) {
    this.#pool = pool
    this.#s = ident(schema)
    this.#store = store
    this.#location = location
  }

  async list(): Promise<SnapshotInfo[]> {
    const { rows } = await this.#pool.query(`SELECT seq, bytes FROM ${this.#s}.snapshots WHERE store = $1 ORDER BY seq`, [this.#store])
    return rows.map((row) => ({ seq: Number(row.seq), bytes: Number(row.bytes), location: `${this.#location}/snapshot-${row.seq}` }))
  }

  async *read(seq: number): AsyncIterable<readonly string[]> {
    const { rows } = await this.#pool.query(`SELECT chunks FROM ${this.#s}.snapshots WHERE store = $1 AND seq = $2`, [this.#store, seq])
    const chunks = rows.length > 0 ? Number(rows[0].chunks) : 0
    let carry = ''
    for (let chunk = 0; chunk < chunks; chunk++) {
      const piece = await this.#pool.query(`SELECT lines FROM ${this.#s}.snapshot_chunks WHERE store = $1 AND seq = $2 AND chunk = $3`, [this.#store, seq, chunk])
      const text = carry + (piece.rows[0]?.lines ?? '')
      const end = text.lastIndexOf('\n')
      carry = text.slice(end + 1)
      if (end >= 0) yield text.slice(0, end).split('\n')
    }
    if (carry !== '') yield [carry]
  }

  async write(seq: number, lines: AsyncIterable<string> | Iterable<string>): Promise<SnapshotInfo> {
    const client = await this.#pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(`DELETE FROM ${this.#s}.snapshot_chunks WHERE store = $1 AND seq = $2`, [this.#store, seq])
      await client.query(`DELETE FROM ${this.#s}.snapshots WHERE store = $1 AND seq = $2`, [this.#store, seq])
      let pending: string[] = []
      let size = 0
      let chunks = 0
      let bytes = 0
      const flush = async (): Promise<void> => {
        const text = pending.join('')
        pending = []
        size = 0
        bytes += Buffer.byteLength(text)
        await client.query(`INSERT INTO ${this.#s}.snapshot_chunks (store, seq, chunk, lines) VALUES ($1, $2, $3, $4)`, [this.#store, seq, chunks++, text])
      }
      for await (const line of lines) {
        pending.push(line)
        size += line.length
        if (size >= CHUNK) await flush()
      }
      if (size > 0) await flush()
      await client.query(`INSERT INTO ${this.#s}.snapshots (store, seq, bytes, chunks) VALUES ($1, $2, $3, $4)`, [this.#store, seq, bytes, chunks])
      await client.query('COMMIT')
      return { seq, bytes, location: `${this.#location}/snapshot-${seq}` }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  async remove(seq: number): Promise<void> {
    await this.#pool.query(`WITH gone AS (DELETE FROM ${this.#s}.snapshots WHERE store = $1 AND seq = $2) DELETE FROM ${this.#s}.snapshot_chunks WHERE store = $1 AND seq = $2`, [this.#store, seq])
  }
}
