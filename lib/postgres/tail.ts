import type { Pool, PoolClient } from 'pg'
import type { JournalChunk, TailOptions } from '../core/storage.js'
import { ident } from './schema.js'

/** Rows read at most per query while catching up. */
const PAGE = 5000

/** Where a tail reads: the pool, tables and channel of one store. @internal */
export interface TailSource {
  readonly pool: Pool
  readonly schema: string
  readonly store: string
  readonly channel: string
  readonly location: string
  readonly pollMs: number
}

/**
 * Follows a store's rows: LISTENs on its channel first (so no notification after the catch-up
 * read is missed), reads by seq, and waits for a notification or the safety poll. Rows exist
 * only once committed, so everything it yields is acknowledged. Each chunk names its first
 * seq as a segment, so a reader sees rows removed by retention as a gap.
 * @internal
 */
export async function* tailRows(source: TailSource, fromSeq: number, options: TailOptions): AsyncGenerator<JournalChunk> {
  const { signal } = options
  const client: PoolClient = await source.pool.connect()
  let woken = false
  let failed: Error | null = null
  let wake: (() => void) | null = null
  let head = 0
  const poke = (): void => {
    woken = true
    wake?.()
  }
  const onNotice = (message: { channel: string; payload?: string }): void => {
    if (message.channel !== source.channel) return
    head = Math.max(head, Number(message.payload) || 0)
    poke()
  }
  const onError = (error: Error): void => {
    failed = error
    poke()
  }
  client.on('notification', onNotice)
  client.on('error', onError)
  signal.addEventListener('abort', poke, { once: true })
  let broken = false
  try {
    await client.query(`LISTEN ${ident(source.channel)}`)
    let next = fromSeq
    while (!signal.aborted) {
      woken = false
      const { rows } = await client.query(`SELECT seq, line FROM ${ident(source.schema)}.journal WHERE store = $1 AND seq >= $2 ORDER BY seq LIMIT ${PAGE}`, [source.store, next])
      if (rows.length > 0) {
        const first = Number(rows[0].seq)
        next = Number(rows[rows.length - 1].seq) + 1
        head = Math.max(head, next - 1)
        yield { offset: first, lines: rows.map((row) => row.line as string), segment: { firstSeq: first, location: `${source.location}#${first}` }, head }
        if (rows.length === PAGE) continue
      }
      if (failed) throw failed
      if (woken) continue
      options.onCaughtUp?.()
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, source.pollMs)
        function done(): void {
          clearTimeout(timer)
          wake = null
          resolve()
        }
        wake = done
        if (woken || signal.aborted) done()
      })
      if (failed) throw failed
    }
  } catch (error) {
    broken = true
    throw error
  } finally {
    client.off('notification', onNotice)
    signal.removeEventListener('abort', poke)
    if (!broken) await client.query(`UNLISTEN ${ident(source.channel)}`).catch(() => (broken = true))
    client.off('error', onError)
    client.release(broken ? true : undefined)
  }
}
