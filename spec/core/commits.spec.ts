import fc from 'fast-check'
import { applyPatches, enableMapSet, enablePatches, type Objectish } from 'immer'
import { describe, expect, it } from 'vitest'
import { createStore, createStoreAt, MemoryJournalStorage, type Commit } from '../../lib/index.js'
import { bank, seed } from '../fixtures/definitions.js'
import { FaultyStorage, ioError } from '../fixtures/faulty-storage.js'
import { seedCommand, type SeedCommand } from '../fixtures/arbitraries.js'

enableMapSet()
enablePatches()

type Command = SeedCommand
const command = seedCommand

function applyCommit(state: Record<string, unknown>, patches: Commit['patches']): Record<string, unknown> {
  const next = { ...state }
  for (const [ref, list] of Object.entries(patches ?? {})) next[ref] = applyPatches(state[ref] as Objectish, list)
  return next
}

describe('commit stream', () => {
  it('emits each commit once it is durable, in order, with seq, name, arguments and time', async () => {
    const storage = new FaultyStorage(new MemoryJournalStorage())
    let now = 1_000
    const store = await createStore(seed, { storage, clock: () => (now += 1) })
    const commits: Commit[] = []
    store.commits$.subscribe((c) => commits.push(c))
    storage.holdSync = true
    const syncing = storage.nextSync()
    const pending = Promise.all([store.dispatch('add', 1, 2), store.dispatch('setS', { tags: new Set(['a']) }), store.dispatch('swap')])
    await syncing
    expect(commits).toEqual([])
    storage.holdSync = false
    storage.release()
    await pending
    expect(commits).toEqual([
      { seq: 1, name: 'add', args: [1, 2], time: 1_001 },
      { seq: 2, name: 'setS', args: [{ tags: new Set(['a']) }], time: 1_001 },
      { seq: 3, name: 'swap', args: [], time: 1_001 },
    ])
    await store.close()
  })

  it('emits nothing for a recipe that throws, a recipe that changes nothing, or a failed write', async () => {
    const storage = new FaultyStorage(new MemoryJournalStorage())
    const store = await createStore(seed, { storage })
    const commits: Commit[] = []
    store.commits$.subscribe((c) => commits.push(c))
    await expect(store.dispatch('failAfterAdd', 1)).rejects.toThrow('refused 1')
    await store.dispatch('noop')
    storage.failSync = ioError('EIO')
    await expect(store.dispatch('inc')).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    expect(commits).toEqual([])
    await store.close()
  })

  it("carries each ref's patches: applied to the previous state they give the next, and the inverse undoes them", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { maxLength: 8 }), async (batches) => {
        const storage = new MemoryJournalStorage()
        const store = await createStore(seed, { storage, patches: true })
        const commits: Commit[] = []
        store.commits$.subscribe((c) => commits.push(c))
        for (const batch of batches) {
          await Promise.allSettled(batch.map(([name, ...args]) => (store.dispatch as (n: string, ...a: unknown[]) => Promise<unknown>)(name, ...args)))
        }
        await store.close()
        let state: Record<string, unknown> = { ...seed.refs }
        for (const commit of commits) {
          const next = applyCommit(state, commit.patches)
          const expected = (await createStoreAt(seed, { storage, until: { seq: commit.seq } })).state
          expect(next).toEqual(expected)
          expect(applyCommit(next, commit.inversePatches)).toEqual(state)
          state = next
        }
        expect(state).toEqual(store.state)
      }),
      { numRuns: 40 },
    )
  })

  it('carries patches of nested changes, relative to their ref', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(bank, { storage, patches: true })
    const commits: Commit[] = []
    store.commits$.subscribe((c) => commits.push(c))
    const ann = (await store.dispatch('open', 'ann', 100)).result as string
    const bob = (await store.dispatch('open', 'bob', 100)).result as string
    await Promise.allSettled([store.dispatch('transfer', ann, bob, 30), store.dispatch('transfer', bob, ann, 500), store.dispatch('transfer', bob, ann, 5)])
    let state: Record<string, unknown> = { ...bank.refs }
    for (const commit of commits) {
      state = applyCommit(state, commit.patches)
      expect(state).toEqual((await createStoreAt(bank, { storage, until: { seq: commit.seq } })).state)
    }
    expect(commits[2].patches?.accounts).toHaveLength(2)
    expect(commits[2].patches?.accounts).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: [ann, 'balance'], value: 70 },
        { op: 'replace', path: [bob, 'balance'], value: 130 },
      ]),
    )
    expect(commits[2].patches?.log).toEqual([{ op: 'add', path: [0], value: `${ann}>${bob}:30` }])
    await store.close()
  })

  it('completes when the store closes', async () => {
    const store = await createStore(seed, { storage: new MemoryJournalStorage() })
    let completed = false
    store.commits$.subscribe({ complete: () => (completed = true) })
    await store.close()
    expect(completed).toBe(true)
  })
})

describe('metrics', () => {
  it('counts commits, batches, batch sizes, fsyncs and the queue, and measures the replay at open', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(bank, { storage })
    const fresh = store.metrics()
    expect(fresh).toMatchObject({ commits: 0, batches: 0, queueDepth: 0, replay: { entries: 0 } })
    await Promise.all([store.dispatch('open', 'ann', 1), store.dispatch('open', 'bob', 2), store.dispatch('open', 'cy', 3)])
    const pending = store.dispatch('open', 'dee', 4)
    expect(store.metrics().queueDepth).toBe(1)
    await pending
    const metrics = store.metrics()
    expect(metrics).toMatchObject({ commits: 4, batches: 2, batchSize: { last: 1, mean: 2, max: 3 }, fsync: { count: 2 }, queueDepth: 0 })
    expect(metrics.commitsPerSecond).toBeGreaterThan(0)
    expect(metrics.fsync.maxMs).toBeGreaterThanOrEqual(metrics.fsync.meanMs)
    await store.close()
    const again = await createStore(bank, { storage })
    expect(again.metrics().replay.entries).toBe(4)
    expect(again.metrics().replay.ms).toBeGreaterThan(0)
    await again.close()
  })
})
