import { config, filter, firstValueFrom } from 'rxjs'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, FaultInjectingStorage, MemoryJournalStorage, type StoreError } from '../../lib/index.js'
import { seed } from '../fixtures/definitions.js'
import { ledger } from '../fixtures/workload.js'

const unhandled = config.onUnhandledError
afterEach(() => {
  config.onUnhandledError = unhandled
})

/** Some real synchronous work (not a timer): a subscriber that is slow to return. */
function busy(iterations: number): number {
  let h = 0
  for (let i = 0; i < iterations; i++) h = Math.imul(h ^ i, 0x9e3779b1)
  return h
}

describe('load', () => {
  it('resolves 10,000 concurrent dispatches with distinct, gap-free seqs', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage })
    const receipts = await Promise.all(Array.from({ length: 10_000 }, () => store.dispatch('inc')))
    const seqs = receipts.map((r) => r.seq).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1))
    expect(store.state.x).toBe(10_000)
    await store.close()
    const replayed = await createStore(seed, { storage })
    expect(replayed.state).toEqual(store.state)
    await replayed.close()
  })

  it('parks dispatches while the queue is full (whenFull wait), in arrival order, in batches of at most maxQueue', async () => {
    const storage = new FaultInjectingStorage(new MemoryJournalStorage())
    const store = await createStore(ledger, { storage, maxQueue: 5, whenFull: 'wait' })
    const receipts = await Promise.all(Array.from({ length: 23 }, (_, i) => store.dispatch('record', i + 1, '')))
    expect(receipts.map((r) => r.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1))
    expect(store.state.ids).toEqual(Array.from({ length: 23 }, (_, i) => i + 1))
    // 5 + 5 + 5 + 5 + 3: one write and one fsync per batch.
    expect(storage.appends).toBe(5)
    await store.close()
  })

  it('resolves 10,000 concurrent dispatches through a bounded queue that waits', async () => {
    const store = await createStore(seed, { storage: new MemoryJournalStorage(), maxQueue: 100 })
    const receipts = await Promise.all(Array.from({ length: 10_000 }, () => store.dispatch('inc')))
    expect(new Set(receipts.map((r) => r.seq)).size).toBe(10_000)
    expect(store.seq).toBe(10_000)
    await store.close()
  })

  it('rejects with QUEUE_FULL when maxQueue dispatches are waiting and whenFull is reject', async () => {
    const store = await createStore(seed, { storage: new MemoryJournalStorage(), maxQueue: 10, whenFull: 'reject' })
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => store.dispatch('inc')))
    expect(results.map((r) => r.status)).toEqual([...Array(10).fill('fulfilled'), 'rejected', 'rejected'])
    const error = (results[10] as PromiseRejectedResult).reason as StoreError
    expect(error).toMatchObject({ code: 'QUEUE_FULL', details: { transaction: 'inc' } })
    expect(error.message).toContain('found 10')
    // Once the queue has room again, dispatches are accepted.
    await expect(store.dispatch('inc')).resolves.toMatchObject({ seq: 11 })
    expect(store.halted).toBeNull()
    await store.close()
  })

  it.each([{ maxQueue: 0 }, { maxQueue: -1 }, { maxQueue: 2.5 }, { maxQueue: Number.NaN }, { whenFull: 'drop' }])('refuses queue option %o with INVALID_OPTION', async (option) => {
    const storage = new MemoryJournalStorage()
    await expect(createStore(seed, { storage, ...(option as object) })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
    // Refused before the journal was opened: the storage is free.
    const store = await createStore(seed, { storage })
    await store.close()
  })

  it('keeps committing while a subscriber does heavy synchronous work per emission', async () => {
    const storage = new FaultInjectingStorage(new MemoryJournalStorage())
    const store = await createStore(seed, { storage })
    const seen: number[] = []
    store.refs.x.subscribe((x) => {
      busy(200_000)
      seen.push(x)
    })
    const callers = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 40; i++) await store.dispatch('inc')
    })
    await Promise.all(callers)
    expect(store.state.x).toBe(320)
    expect(seen.at(-1)).toBe(320)
    // Emissions are in commit order, one per batch.
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
    expect(seen.length).toBe(storage.appends + 1)
    await store.close()
  })

  it('keeps committing and emitting to others when a subscriber or a selector throws', async () => {
    const reported: unknown[] = []
    let allReported!: () => void
    const done = new Promise<void>((resolve) => (allReported = resolve))
    config.onUnhandledError = (error) => {
      reported.push(error)
      if (reported.length === 3) allReported()
    }
    const store = await createStore(seed, { storage: new MemoryJournalStorage() })
    let throws = 0
    store.refs.x.subscribe((x) => {
      if (x > 0 && throws++ < 2) throw new Error(`subscriber fails at x = ${x}`)
    })
    store.select((s) => (s.x === 3 ? (null as unknown as { y: number }).y : s.x)).subscribe()
    const seen: number[] = []
    store.state$.subscribe((s) => seen.push(s.x))
    for (let i = 0; i < 5; i++) await store.dispatch('inc')
    await done
    expect(reported.map(String)).toEqual(['Error: subscriber fails at x = 1', 'Error: subscriber fails at x = 2', expect.stringContaining('TypeError')])
    expect(seen).toEqual([0, 1, 2, 3, 4, 5])
    expect(store.halted).toBeNull()
    await expect(store.dispatch('inc')).resolves.toMatchObject({ seq: 6 })
    await store.close()
  })

  it('runs dispatches made by a subscriber in reaction to a commit', async () => {
    const store = await createStore(seed, { storage: new MemoryJournalStorage() })
    const reactions: Array<Promise<unknown>> = []
    // Each commit that leaves x below 10 triggers one more inc, from inside the emission.
    store.refs.x.subscribe((x) => {
      if (x > 0 && x < 10) reactions.push(store.dispatch('inc'))
    })
    const reachedTen = firstValueFrom(store.refs.x.pipe(filter((x) => x === 10)))
    await store.dispatch('inc')
    await reachedTen
    await expect(Promise.all(reactions)).resolves.toHaveLength(9)
    expect(store.seq).toBe(10)
    await store.close()
  })
})
