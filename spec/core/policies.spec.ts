import { describe, expect, it } from 'vitest'
import { createStore, FileJournalStorage, isStoreError, MemoryJournalStorage, openStore, StoreError } from '../../lib/index.js'
import { seed } from '../fixtures/definitions.js'
import { FaultyStorage } from '../fixtures/faulty-storage.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

const quiet = { onWarning: () => {} }

/** One turn of the event loop: timers and I/O callbacks that are due get their chance. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('durability policies keep their word (issue 11)', () => {
  let dir = ''
  eachTempDir('policies', (path) => (dir = path))

  it("fsyncs within syncIntervalMs under a saturated write loop ('interval')", async () => {
    const storage = new FaultyStorage(new MemoryJournalStorage())
    const store = await createStore(seed, { storage, durability: 'interval', syncIntervalMs: 50 })
    const started = performance.now()
    // Back-to-back awaits keep the event loop busy with microtasks: a timer alone never runs.
    while (performance.now() - started < 600) await store.dispatch('inc')
    const syncs = storage.syncs
    await store.close()
    expect(syncs).toBeGreaterThanOrEqual(5)
  })

  it('takes automatic snapshots under a saturated write loop', async () => {
    const storage = new FileJournalStorage(dir)
    // Watched without awaiting anything but dispatches: looking at the directory would let the loop turn.
    let written = 0
    const write = storage.snapshots.write.bind(storage.snapshots)
    storage.snapshots.write = (seq, lines) => write(seq, lines).then((info) => (written++, info))
    const store = await createStore(seed, { storage, durability: 'none', snapshots: { everyEntries: 2_000 }, ...quiet })
    const started = performance.now()
    while (written === 0 && performance.now() - started < 5_000) await store.dispatch('inc')
    await store.close()
    expect(written).toBeGreaterThanOrEqual(1)
  })

  it("close() resolves only once the interval's fsync in flight is done", async () => {
    const storage = new FaultyStorage(new MemoryJournalStorage())
    let closedDuringSync = false
    const close = storage.close.bind(storage)
    storage.close = () => {
      closedDuringSync ||= storage.held > 0
      return close()
    }
    const store = await createStore(seed, { storage, durability: 'interval', syncIntervalMs: 5 })
    storage.holdSync = true
    const syncing = storage.nextSync()
    await store.dispatch('inc')
    await syncing
    const closing = store.close()
    await turn()
    storage.holdSync = false
    storage.release()
    await closing
    expect(closedDuringSync).toBe(false)
    expect(store.halted).toBeNull()
  })

  describe('every option is checked at open', () => {
    const refused = async (options: Record<string, unknown>, option: string): Promise<StoreError> => {
      const error = await createStore(seed, { storage: new MemoryJournalStorage(), ...options } as never).then(
        () => expect.unreachable(`options ${JSON.stringify(options)} were accepted`),
        (e: unknown) => e,
      )
      expect(isStoreError(error, 'INVALID_OPTION')).toBe(true)
      const e = error as StoreError
      expect(e.details.option).toBe(option)
      expect(e.message).toContain(option)
      expect(e.message).toMatch(/expected/)
      return e
    }

    it("refuses a mistyped durability ('Always', 'fsync') naming what was expected and what arrived", async () => {
      const e = await refused({ durability: 'Always' }, 'durability')
      expect(e.message).toContain("'always'")
      expect(e.message).toContain('"Always"')
      await refused({ durability: 'fsync' }, 'durability')
    })

    it('refuses a syncIntervalMs that is not a positive number of milliseconds', async () => {
      for (const value of [-1, 0, 'soon', Number.NaN, Infinity]) await refused({ durability: 'interval', syncIntervalMs: value }, 'syncIntervalMs')
    })

    it('refuses every other option of the wrong type or value', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ onWarning: 'log' }, 'onWarning'],
        [{ onCorruption: 'repair' }, 'onCorruption'],
        [{ clock: 42 }, 'clock'],
        [{ freeze: 'yes' }, 'freeze'],
        [{ replay: 'fast' }, 'replay'],
        [{ patches: 1 }, 'patches'],
        [{ idempotencyWindow: -5 }, 'idempotencyWindow'],
        [{ maxQueue: 0 }, 'maxQueue'],
        [{ whenFull: 'drop' }, 'whenFull'],
        [{ checkDeterminism: 'on' }, 'checkDeterminism'],
        [{ snapshots: true }, 'snapshots'],
        [{ snapshots: { everyEntries: 0 } }, 'snapshots.everyEntries'],
        [{ snapshots: { evryEntries: 10 } }, 'snapshots.evryEntries'],
        [{ onProgress: {} }, 'onProgress'],
        [{ storage: {} }, 'storage'],
      ]
      for (const [options, option] of cases) await refused(options, option)
    })

    it('refuses an unknown option (a typo) by name', async () => {
      const e = await refused({ durabilty: 'always' }, 'durabilty')
      expect(e.message).toContain('durability')
    })

    it('checks the options of openStore (dir, fsync) before touching the directory', async () => {
      await expect(openStore(seed, { dir, fsync: 'sometimes' } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { option: 'fsync' } })
      await expect(openStore(seed, { dir: 42 } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { option: 'dir' } })
      await expect(openStore(seed, { dir, durability: 'Always' } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION' })
      await expect(openStore(seed, { dir, storage: new MemoryJournalStorage() } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { option: 'storage' } })
    })
  })

  it('releases the lock and its files when the open fails after taking it', async () => {
    const first = await openStore(seed, { dir })
    await first.dispatch('add', 1, 2)
    await first.close()
    // The replay fails: this definition's add throws.
    const broken = { ...seed, transactions: { ...seed.transactions, add: () => { throw new Error('broken add') } } }
    await expect(openStore(broken as never, { dir })).rejects.toMatchObject({ code: 'REPLAY_FAILED' })
    // A failure after the replay (here: freezing a state too deep to walk) releases it too.
    const deep = { ...seed, transactions: { ...seed.transactions, add: (state: { s: Record<string, unknown> }) => {
      let node: Record<string, unknown> = {}
      state.s = node
      for (let i = 0; i < 200_000; i++) node = node.next = {}
    } } }
    await expect(openStore(deep as never, { dir })).rejects.toThrow()
    const again = await openStore(seed, { dir })
    expect(again.state.x).toBe(1)
    await again.close()
  })
})
