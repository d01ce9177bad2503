import type { Pool } from 'pg'
import { StoreError } from '../core/errors.js'
import { ident } from './schema.js'

/**
 * A writer's lease on one store: its epoch, renewed in the background every third of the
 * lease. It is lost when a renewal finds another epoch (a standby took over) or when no renewal
 * succeeded for a whole lease (this process was paused or cut off): from then on
 * {@link Lease.check} throws `FENCED`. Appends are fenced by the epoch in the database as well,
 * so a lease lost unnoticed still acknowledges nothing.
 * @internal
 */
export class Lease {
  readonly #pool: Pool
  readonly #s: string
  readonly #store: string
  readonly #ms: number
  readonly epoch: number
  readonly #timer: ReturnType<typeof setInterval>
  #renewed = Date.now()
  #lost: StoreError | null = null

  private constructor(pool: Pool, schema: string, store: string, ms: number, epoch: number) {
    this.#pool = pool
    this.#s = ident(schema)
    this.#store = store
    this.#ms = ms
    this.epoch = epoch
    this.#timer = setInterval(() => void this.#renew(), Math.max(10, Math.floor(ms / 3)))
    this.#timer.unref?.()
  }

  /**
   * Takes the lease when it is free (never held, released, or expired), bumping the epoch:
   * every append of an earlier holder is refused from now on. Resolves with the lease and the head.
   * @throws StoreError `LOCKED` naming the holder and until when it holds it.
   */
  static async acquire(pool: Pool, schema: string, store: string, ms: number, holder: string): Promise<{ lease: Lease; head: number }> {
    const s = ident(schema)
    const { rows } = await pool.query(
      `UPDATE ${s}.stores SET epoch = epoch + 1, holder = $2, expires_at = clock_timestamp() + $3 * interval '1 millisecond'
       WHERE name = $1 AND (holder IS NULL OR expires_at < clock_timestamp()) RETURNING epoch, head`,
      [store, holder, ms],
    )
    if (rows.length === 0) {
      const held = await pool.query(`SELECT holder, expires_at FROM ${s}.stores WHERE name = $1`, [store])
      const row = held.rows[0] ?? {}
      throw new StoreError('LOCKED', `store "${store}" in PostgreSQL schema ${schema} is written by ${row.holder} (lease until ${new Date(row.expires_at).toISOString()}); only one writer at a time — open a follower, or a standby that takes over when the lease expires`, { location: `postgresql:${schema}/${store}` })
    }
    return { lease: new Lease(pool, schema, store, ms, Number(rows[0].epoch)), head: Number(rows[0].head) }
  }

  /** @throws StoreError `FENCED` once the lease is lost. */
  check(): void {
    if (this.#lost) throw this.#lost
    if (Date.now() - this.#renewed > this.#ms) this.lose(`no renewal succeeded for ${Date.now() - this.#renewed} ms (the lease is ${this.#ms} ms): this process was paused or cut off`)
  }

  /** Marks the lease lost (a fenced append, a renewal that found another epoch). */
  lose(why: string): StoreError {
    this.#lost ??= new StoreError('FENCED', `this writer lost its lease on store "${this.#store}" (epoch ${this.epoch}): ${why}; it acknowledges nothing more — another writer took over, or will`, { location: this.#store })
    clearInterval(this.#timer)
    return this.#lost
  }

  async #renew(): Promise<void> {
    if (this.#lost) return
    const started = Date.now()
    try {
      const { rowCount } = await this.#pool.query(`UPDATE ${this.#s}.stores SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE name = $1 AND epoch = $2`, [this.#store, this.epoch, this.#ms])
      if (rowCount === 0) this.lose('a renewal found a newer epoch')
      // Counted from when the renewal was sent: the database extended it from then at the earliest.
      else this.#renewed = Math.max(this.#renewed, started)
    } catch {
      this.check()
    }
  }

  /** Stops renewing and frees the lease at once, so a standby need not wait for it to expire. */
  async release(): Promise<void> {
    clearInterval(this.#timer)
    if (this.#lost) return
    this.#lost = new StoreError('STORE_CLOSED', 'the writer closed', { location: this.#store })
    await this.#pool.query(`UPDATE ${this.#s}.stores SET holder = NULL, expires_at = NULL WHERE name = $1 AND epoch = $2`, [this.#store, this.epoch]).catch(() => undefined)
  }
}
