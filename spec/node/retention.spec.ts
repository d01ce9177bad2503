import { openSync, readFileSync, writeSync, closeSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { openStore, type SnapshotInfo, type StoreWarning } from '../../lib/index.js'
import { bank } from '../fixtures/bank.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

/** Overwrites bytes in the middle of a snapshot file, keeping its length: damage a checksum catches. */
function damage(info: SnapshotInfo): void {
  const size = readFileSync(info.location).length
  const fd = openSync(info.location, 'r+')
  writeSync(fd, Buffer.from('#garbage#'), 0, 9, Math.floor(size / 2))
  closeSync(fd)
}

describe('retention (issue 11)', () => {
  let dir = ''
  eachTempDir('retention', (path) => (dir = path))

  it('counts only snapshots verified whole, so two damaged snapshots in a row still open', async () => {
    const options = { dir, snapshots: { pruneJournal: true, everyBytes: Infinity }, onWarning: (w: StoreWarning) => warnings.push(w) }
    const warnings: StoreWarning[] = []
    const transfers = async (store: Awaited<ReturnType<typeof openStore<typeof bank.refs, typeof bank.transactions>>>) => {
      for (let i = 0; i < 10; i++) await store.dispatch('transfer', i % 5, 5 + (i % 5), 1)
    }
    let store = await openStore(bank, options)
    await transfers(store)
    await store.snapshot()
    await transfers(store)
    const second = await store.snapshot()
    await store.close()

    damage(second)
    store = await openStore(bank, options)
    expect(warnings.map((w) => w.code)).toEqual(['SNAPSHOT_SKIPPED'])
    await transfers(store)
    const third = await store.snapshot()
    const expected = store.state
    await store.close()

    damage(third)
    store = await openStore(bank, options)
    expect(store.seq).toBe(30)
    expect(store.state).toEqual(expected)
    await store.close()
  })
})
