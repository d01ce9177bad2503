import { describe, expect, it } from 'vitest'
import { createStore, FileJournalStorage, type StoreWarning } from '../../lib/index.js'
import { seed } from '../fixtures/definitions.js'
import { ioError } from '../fixtures/faulty-storage.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

/** The file journal whose segment rolls, or snapshot writes, fail on request (ENOSPC). */
class FullDiskStorage extends FileJournalStorage {
  failRolls = false
  failSnapshots = false
  rolls = 0

  constructor(dir: string) {
    super(dir)
    const write = this.snapshots.write.bind(this.snapshots)
    this.snapshots.write = (seq, lines) => (this.failSnapshots ? Promise.reject(ioError('ENOSPC')) : write(seq, lines))
  }

  override async roll(firstSeq: number): Promise<void> {
    this.rolls++
    if (this.failRolls) throw ioError('ENOSPC')
    await super.roll(firstSeq)
  }
}

describe('a failing automatic snapshot (issue 11)', () => {
  let dir = ''
  eachTempDir('snapshot-faults', (path) => (dir = path))

  async function run(setup: (storage: FullDiskStorage) => void) {
    const storage = new FullDiskStorage(dir)
    const warnings: StoreWarning[] = []
    const store = await createStore(seed, { storage, snapshots: { everyEntries: 10 }, onWarning: (w) => warnings.push(w) })
    setup(storage)
    for (let i = 0; i < 100; i++) await store.dispatch('inc')
    await store.snapshot().catch(() => undefined)
    return { storage, warnings, store }
  }

  it('warns with SNAPSHOT_FAILED when the segment roll fails, backs off, and the journal goes on in the current segment', async () => {
    const { storage, warnings, store } = await run((s) => (s.failRolls = true))
    expect(store.halted).toBeNull()
    expect(store.seq).toBe(100)
    expect(warnings.length).toBeGreaterThanOrEqual(1)
    expect(warnings.every((w) => w.code === 'SNAPSHOT_FAILED')).toBe(true)
    // Backing off: far fewer attempts than the ten the policy would have made.
    expect(warnings.length).toBeLessThanOrEqual(4)
    expect((await storage.segments()).length).toBe(1)
    // The disk has room again: the next snapshot is taken and the store went on throughout.
    storage.failRolls = false
    await expect(store.snapshot()).resolves.toMatchObject({ seq: 100 })
    await store.dispatch('inc')
    await store.close()
    const reopened = await createStore(seed, { storage: new FileJournalStorage(dir) })
    expect(reopened.state.x).toBe(101)
    await reopened.close()
  })

  it('leaves no new segment per attempt when snapshot writes keep failing', async () => {
    const { storage, warnings, store } = await run((s) => (s.failSnapshots = true))
    expect(store.halted).toBeNull()
    expect(warnings.length).toBeGreaterThanOrEqual(1)
    expect((await storage.segments()).length).toBeLessThanOrEqual(2)
    await store.close()
    const reopened = await createStore(seed, { storage: new FileJournalStorage(dir) })
    expect(reopened.state.x).toBe(100)
    await reopened.close()
  })
})
