import { firstValueFrom, skip, take, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { createStore, isStoreError, MemoryJournalStorage, shallowEqual, StoreError } from '../../lib/index.js'
import { bank, seed, total } from '../fixtures/definitions.js'
import { FaultyStorage, ioError } from '../fixtures/faulty-storage.js'

const quiet = { onWarning: () => {} }

function settled(promise: Promise<unknown>): { done: boolean } {
  const state = { done: false }
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  )
  return state
}

describe('store', () => {
  it('replays journaled transactions on open (the seed example)', async () => {
    const storage = new MemoryJournalStorage()
    const first = await createStore(seed, { storage })
    await first.dispatch('add', 1, 2)
    await first.dispatch('add', 10, 20)
    await first.dispatch('swap')
    await first.dispatch('inc')
    await first.dispatch('setS', { a: 'bb', key: new Set(['val1', 'val2']) })
    const live = first.state
    await first.close()

    const second = await createStore(seed, { storage })
    expect(second.refs.x.value).toBe(23)
    expect(second.refs.y.value).toBe(12)
    expect(second.refs.s.value).toEqual({ a: 'bb', key: new Set(['val1', 'val2']) })
    expect(second.state).toEqual(live)
    expect(second.seq).toBe(5)
    await second.close()
  })

  it('resolves dispatch with the seq and the recipe result', async () => {
    const store = await createStore(bank, { storage: new MemoryJournalStorage() })
    const a = await store.dispatch('open', 'ann', 100)
    const b = await store.dispatch('open', 'bob', 50)
    expect(a).toMatchObject({ seq: 1, journaled: true })
    expect(b.seq).toBe(2)
    expect(typeof a.result).toBe('string')
    expect(store.refs.accounts.value[a.result as string]).toMatchObject({ owner: 'ann', balance: 100 })
    await store.close()
  })

  it('resolves only after the batch is fsynced, and only then do subscribers see it', async () => {
    const storage = new FaultyStorage(new MemoryJournalStorage())
    const store = await createStore(seed, { storage })
    const seen: number[] = []
    store.refs.x.subscribe((x) => seen.push(x))
    storage.holdSync = true
    const syncing = storage.nextSync()
    const pending = store.dispatch('add', 5, 0)
    const state = settled(pending)
    await syncing
    expect(state.done).toBe(false)
    expect(store.refs.x.value).toBe(0)
    expect(seen).toEqual([0])
    storage.release()
    await expect(pending).resolves.toMatchObject({ seq: 1 })
    expect(seen).toEqual([0, 5])
    storage.holdSync = false
    await store.close()
  })

  it('changes nothing when a recipe throws: no entry, no emission, later transactions unaffected', async () => {
    const inner = new MemoryJournalStorage()
    const store = await createStore(seed, { storage: inner })
    const emissions: unknown[] = []
    store.state$.subscribe((s) => emissions.push(s))
    const before = store.state
    await expect(store.dispatch('failAfterAdd', 7)).rejects.toThrow('refused 7')
    expect(store.state).toBe(before)
    expect(store.seq).toBe(0)
    expect(inner.text).toBe('')
    expect(emissions).toHaveLength(1)
    await expect(store.dispatch('add', 1, 1)).resolves.toMatchObject({ seq: 1 })
    expect(store.refs.x.value).toBe(1)
    await store.close()
  })

  it('rejects only the throwing call of a batch and keeps the rest in order', async () => {
    const store = await createStore(seed, { storage: new MemoryJournalStorage() })
    const results = await Promise.allSettled([store.dispatch('add', 1, 0), store.dispatch('failAfterAdd', 100), store.dispatch('add', 2, 0)])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.seq : null))).toEqual([1, null, 2])
    expect(store.refs.x.value).toBe(3)
    await store.close()
  })

  it('gathers dispatches made while a batch is being made durable into one next batch (group commit)', async () => {
    const storage = new FaultyStorage(new MemoryJournalStorage())
    const store = await createStore(seed, { storage })
    storage.holdSync = true
    const syncing = storage.nextSync()
    const first = store.dispatch('add', 1, 0)
    await syncing
    const rest = Array.from({ length: 100 }, () => store.dispatch('inc'))
    storage.holdSync = false
    storage.release()
    await Promise.all([first, ...rest])
    expect(storage.appends).toBe(2)
    expect(storage.syncs).toBe(2)
    expect(store.refs.x.value).toBe(101)
    await store.close()
  })

  it('does not journal a transaction that changes nothing', async () => {
    const inner = new MemoryJournalStorage()
    const store = await createStore(seed, { storage: inner })
    await store.dispatch('add', 2, 0)
    await expect(store.dispatch('noop')).resolves.toEqual({ seq: 1, result: 2, journaled: false })
    expect(inner.text.trim().split('\n')).toHaveLength(1)
    await store.close()
  })

  it('never shows a transaction half-applied across refs', async () => {
    const store = await createStore(bank, { storage: new MemoryJournalStorage() })
    const { result: a } = await store.dispatch('open', 'ann', 100)
    const { result: b } = await store.dispatch('open', 'bob', 100)
    const torn: string[] = []
    // A subscriber of one ref reads the other ref: it must see the same transaction's effect.
    store.refs.accounts.subscribe((accounts) => {
      const transfers = store.refs.log.value.filter((l) => l.includes('>')).length
      const moved = 100 - accounts[a as string].balance
      if (moved !== transfers) torn.push(`accounts moved ${moved}, log has ${transfers}`)
    })
    const pairs = store.select((s) => ({ accounts: s.accounts, log: s.log }), shallowEqual)
    const emitted = firstValueFrom(pairs.pipe(skip(1), take(3), toArray()))
    for (let i = 0; i < 3; i++) await store.dispatch('transfer', a as string, b as string, 1)
    const snapshots = await emitted
    expect(torn).toEqual([])
    expect(snapshots.map((s) => [100 - s.accounts[a as string].balance, s.log.length - 0])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ])
    await store.close()
  })

  it('emits a ref only when a commit changed it', async () => {
    const store = await createStore(bank, { storage: new MemoryJournalStorage() })
    const { result: a } = await store.dispatch('open', 'ann', 10)
    const { result: b } = await store.dispatch('open', 'bob', 10)
    const logs: unknown[] = []
    const accounts: unknown[] = []
    store.refs.log.subscribe((l) => logs.push(l))
    store.refs.accounts.subscribe((x) => accounts.push(x))
    await store.dispatch('open', 'cy', 1)
    await store.dispatch('transfer', a as string, b as string, 1)
    expect(accounts).toHaveLength(3)
    expect(logs).toHaveLength(2)
    await store.close()
  })

  it('freezes committed values', async () => {
    const store = await createStore(seed, { storage: new MemoryJournalStorage() })
    await store.dispatch('setS', { nested: { deep: [1, 2] } })
    const s = store.refs.s.value as { nested: { deep: number[] } }
    expect(Object.isFrozen(store.state)).toBe(true)
    expect(Object.isFrozen(s.nested.deep)).toBe(true)
    expect(() => s.nested.deep.push(3)).toThrow(TypeError)
    await store.close()
  })

  it('gives recipes a journaled context, so replay reproduces ids, times and random numbers', async () => {
    const storage = new MemoryJournalStorage()
    let now = 1_000
    const store = await createStore(bank, { storage, clock: () => (now += 10) })
    const ids = [(await store.dispatch('open', 'ann', 1)).result, (await store.dispatch('open', 'bob', 1)).result] as string[]
    await store.dispatch('lottery', ids)
    await store.dispatch('lottery', ids)
    const live = store.state
    await store.close()
    const replayed = await createStore(bank, { storage, clock: () => 0 })
    expect(replayed.state).toEqual(live)
    expect(new Set(ids).size).toBe(2)
    await replayed.close()
  })

  it('never lets the journaled time go backwards', async () => {
    const storage = new MemoryJournalStorage()
    const times = [5_000, 1_000]
    const store = await createStore(bank, { storage, clock: () => times.shift() ?? 0 })
    await store.dispatch('open', 'a', 1)
    await store.dispatch('open', 'b', 1)
    const opened = Object.values(store.refs.accounts.value).map((a) => a.opened)
    expect(opened).toEqual([5_000, 5_000])
    await store.close()
  })
})

describe('store failures', () => {
  it.each(['EIO', 'ENOSPC'] as const)('halts on a failed write (%s) and acknowledges nothing', async (code) => {
    const inner = new MemoryJournalStorage()
    const storage = new FaultyStorage(inner)
    const store = await createStore(seed, { storage })
    await store.dispatch('add', 1, 1)
    storage.failAppend = ioError(code)
    const seen: number[] = []
    store.refs.x.subscribe((x) => seen.push(x))
    const failed = await Promise.allSettled([store.dispatch('add', 1, 0), store.dispatch('add', 2, 0)])
    for (const r of failed) {
      expect(r.status).toBe('rejected')
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'WRITE_FAILED' })
      expect(((r as PromiseRejectedResult).reason as StoreError).message).toContain(code)
    }
    expect(store.refs.x.value).toBe(1)
    expect(seen).toEqual([1])
    expect(store.halted?.code).toBe('WRITE_FAILED')
    storage.failAppend = null
    const later = await store.dispatch('add', 1, 0).catch((e: unknown) => e)
    expect(isStoreError(later, 'STORE_HALTED')).toBe(true)
    expect((later as StoreError).cause).toBe(store.halted)
    await store.close()
    const reopened = await createStore(seed, { storage: inner })
    expect(reopened.seq).toBe(1)
    await reopened.close()
  })

  it('halts on a failed fsync and never acknowledges the unsynced batch', async () => {
    const inner = new MemoryJournalStorage()
    const storage = new FaultyStorage(inner)
    const store = await createStore(seed, { storage })
    await store.dispatch('add', 1, 1)
    storage.failSync = ioError('EIO')
    await expect(store.dispatch('add', 5, 5)).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    expect(store.refs.x.value).toBe(1)
    await expect(store.dispatch('inc')).rejects.toMatchObject({ code: 'STORE_HALTED' })
    await store.close()
    // What survives a power loss is what was synced: exactly the acknowledged entry.
    const survivor = inner.crash()
    const reopened = await createStore(seed, { storage: survivor })
    expect(reopened.state).toMatchObject({ x: 1, y: 1 })
    await reopened.close()
  })

  it('rejects bad input at dispatch, not at replay', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage })
    const unknown = await (store.dispatch as (name: string) => Promise<unknown>)('nope').catch((e: unknown) => e)
    expect(unknown).toMatchObject({ code: 'UNKNOWN_TRANSACTION' })
    expect((unknown as Error).message).toContain('add, swap, inc, setS')
    await expect(store.dispatch('setS', { f: () => 1 } as never)).rejects.toMatchObject({ code: 'UNSERIALIZABLE_ARGUMENT', details: { path: 'args[0].f' } })
    expect(storage.text).toBe('')
    await store.close()
    await expect(store.dispatch('inc')).rejects.toMatchObject({ code: 'STORE_CLOSED' })
  })

  it('reports a dispatch from inside a recipe instead of deadlocking', async () => {
    const storage = new MemoryJournalStorage()
    let store: Awaited<ReturnType<typeof createStore<{ n: number }, { bump: (s: { n: number }) => void }>>>
    const nested = { refs: { n: 0 }, transactions: { bump: (s: { n: number }) => { s.n++; void store.dispatch('bump') } } }
    store = await createStore(nested, { storage })
    await expect(store.dispatch('bump')).rejects.toMatchObject({ code: 'DISPATCH_IN_RECIPE' })
    expect(store.state.n).toBe(0)
    await store.close()
  })

  it('rejects a recipe that returns a promise', async () => {
    const store = await createStore({ refs: { n: 0 }, transactions: { later: async (s: { n: number }) => { s.n++ } } }, { storage: new MemoryJournalStorage() })
    await expect(store.dispatch('later')).rejects.toMatchObject({ code: 'ASYNC_RECIPE' })
    expect(store.state.n).toBe(0)
    await store.close()
  })

  it('refuses a journal entry whose transaction the definition lacks, naming seq and name', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage })
    await store.dispatch('add', 1, 1)
    await store.dispatch('inc')
    await store.close()
    const lacking = { refs: seed.refs, transactions: { add: seed.transactions.add } }
    const error = await createStore(lacking, { storage }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UNKNOWN_TRANSACTION', details: { seq: 2, transaction: 'inc' } })
  })
})

describe('durability policies', () => {
  it('interval: acknowledges once written and fsyncs within the interval', async () => {
    const storage = new FaultyStorage(new MemoryJournalStorage())
    const store = await createStore(seed, { storage, durability: 'interval', syncIntervalMs: 5 })
    const synced = storage.nextSync()
    await store.dispatch('add', 1, 1)
    expect(storage.syncs).toBe(0)
    await synced
    expect(storage.syncs).toBe(1)
    await store.close()
  })

  it('none: acknowledges once written and fsyncs only at close', async () => {
    const storage = new FaultyStorage(new MemoryJournalStorage())
    const store = await createStore(seed, { storage, durability: 'none' })
    for (let i = 0; i < 10; i++) await store.dispatch('inc')
    expect(storage.syncs).toBe(0)
    await store.close()
    expect(storage.syncs).toBe(1)
  })

  it('close drains queued dispatches, makes them durable and completes the refs', async () => {
    const inner = new MemoryJournalStorage()
    const store = await createStore(seed, { storage: inner, durability: 'none' })
    let completed = false
    store.refs.x.subscribe({ complete: () => (completed = true) })
    const queued = Array.from({ length: 20 }, () => store.dispatch('inc'))
    await store.close()
    await Promise.all(queued)
    expect(completed).toBe(true)
    expect(inner.syncedLength).toBe(new TextEncoder().encode(inner.text).length)
    const reopened = await createStore(seed, { storage: inner.crash(), ...quiet })
    expect(reopened.state.x).toBe(20)
    await reopened.close()
  })
})

describe('write stream robustness', () => {
  it('halts with the cause, instead of hanging, when a batch fails unexpectedly', async () => {
    let calls = 0
    const clock = () => {
      if (calls++ === 1) throw new RangeError('clock broke')
      return 1_000
    }
    const store = await createStore(seed, { storage: new MemoryJournalStorage(), clock })
    await store.dispatch('add', 1, 1)
    const failed = await store.dispatch('add', 1, 1).catch((e: unknown) => e)
    expect(failed).toMatchObject({ code: 'STORE_HALTED' })
    expect((failed as StoreError).message).toContain('clock broke')
    await expect(store.dispatch('inc')).rejects.toMatchObject({ code: 'STORE_HALTED' })
    expect(store.state.x).toBe(1)
    await store.close()
  })
})
