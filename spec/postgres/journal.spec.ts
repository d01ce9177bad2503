import { describe, expect, it } from 'vitest'
import { createStore, openJournal } from '../../lib/index.js'
import { collect } from '../fixtures/collect.js'
import { seed } from '../fixtures/definitions.js'
import { pgSchema } from '../fixtures/postgres.js'
import { tailContract } from '../fixtures/tail-contract.js'

const db = pgSchema('journal')
let n = 0
const fresh = (): (() => ReturnType<typeof db.storage>) => {
  const store = `s${n++}`
  return () => db.storage(store, { leaseMs: 2000, pollMs: 200 })
}

describe('PostgreSQL journal', () => {
  it('keeps entries as rows with the file journal’s lines, reads them back after a reopen, and shares a database between stores by name', async () => {
    const a = await openJournal(db.storage('bank-a'))
    const b = await openJournal(db.storage('bank-b'))
    await a.append('deposit', ['ann', 10], Date.UTC(2026, 0, 1))
    await a.append('withdraw', ['ann', 3])
    await b.append('deposit', ['bob', 1])
    await a.sync()
    await b.sync()
    await a.close()
    await b.close()
    const again = await openJournal(db.storage('bank-a'), { write: false })
    expect(again.lastSeq).toBe(2)
    expect((await collect(again.entries())).map((e) => [e.seq, e.name, e.args])).toEqual([[1, 'deposit', ['ann', 10]], [2, 'withdraw', ['ann', 3]]])
    const { rows } = await db.pool.query(`SELECT store, seq, name, time, line FROM "${db.schema}".journal ORDER BY store, seq`)
    expect(rows.map((r) => [r.store, Number(r.seq), r.name])).toEqual([['bank-a', 1, 'deposit'], ['bank-a', 2, 'withdraw'], ['bank-b', 1, 'deposit']])
    expect(rows[0].time.getTime()).toBe(Date.UTC(2026, 0, 1))
    expect(rows[0].line).toMatch(/^\{"seq":1,"time":"2026-01-01T00:00:00.000Z","tx":"deposit","args":\["ann",10\],"crc":"[0-9a-f]{8}"\}$/)
    await again.close()
  })

  it('refuses a second writer with LOCKED naming the holder, and lets a new one in once the first closes', async () => {
    const make = fresh()
    const first = await openJournal(make())
    await expect(openJournal(make())).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`pid ${process.pid}`) })
    await first.close()
    const second = await openJournal(make())
    await second.close()
  })

  it('fences an old writer: once another took the lease, its next append is refused with FENCED and nothing of it is stored', async () => {
    const make = fresh()
    const old = await createStore(seed, { storage: make(), snapshots: false })
    await old.dispatch('add', 1, 1)
    // The new writer takes over as a standby would once the lease expired (here: freed by hand).
    await db.pool.query(`UPDATE "${db.schema}".stores SET expires_at = clock_timestamp() - interval '1 second'`)
    const next = await createStore(seed, { storage: make(), snapshots: false })
    await expect(old.dispatch('add', 2, 2)).rejects.toMatchObject({ code: 'FENCED' })
    expect(old.halted?.code).toBe('FENCED')
    await expect(old.dispatch('add', 3, 3)).rejects.toMatchObject({ code: 'STORE_HALTED', cause: { code: 'FENCED' } })
    const { seq } = await next.dispatch('add', 4, 4)
    expect(seq).toBe(2)
    expect(next.state.x).toBe(5)
    await old.close()
    await next.close()
  })

  it('keeps snapshots as chunked rows, opens from the newest, and prunes the rows it covers', async () => {
    const make = fresh()
    const store = await createStore(seed, { storage: make(), snapshots: { keep: 1, pruneJournal: true, everyEntries: 1e9 } })
    await store.dispatch('setS', { big: 'x'.repeat(3_000_000) })
    await store.dispatch('add', 1, 2)
    await store.snapshot()
    await store.dispatch('add', 3, 4)
    const live = store.state
    await store.close()
    const storage = make()
    const again = await createStore(seed, { storage, snapshots: false })
    expect(again.state).toEqual(live)
    expect((await storage.segments())[0].firstSeq).toBe(3)
    const { rows } = await db.pool.query(`SELECT count(*)::int AS chunks FROM "${db.schema}".snapshot_chunks`)
    expect(rows[0].chunks).toBeGreaterThan(1)
    await again.close()
  })

  describe('tail contract', () => {
    tailContract(fresh)
  })
})
