import { describe, expect, it } from 'vitest'
import { createStore, defineStore, FileJournalStorage, isStoreError, type StoreError } from '../../lib/index.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

/** Notes: each dispatch keeps a long text. */
const notes = defineStore({
  refs: { count: 0, bytes: 0 },
  transactions: {
    note(state, text: string) {
      state.count++
      state.bytes += text.length
    },
  },
})

/** The file journal, recording the size of each append. */
class MeasuredStorage extends FileJournalStorage {
  readonly appended: number[] = []

  override async append(text: string): Promise<void> {
    this.appended.push(Buffer.byteLength(text))
    await super.append(text)
  }
}

const MiB = 1024 * 1024

describe('large batches (issue 11)', () => {
  let dir = ''
  eachTempDir('batches', (path) => (dir = path))

  it('writes a burst of large concurrent dispatches in bounded pieces, acknowledging all', async () => {
    const storage = new MeasuredStorage(dir)
    const store = await createStore(notes, { storage })
    const text = 'n'.repeat(MiB)
    const receipts = await Promise.all(Array.from({ length: 48 }, () => store.dispatch('note', text)))
    expect(receipts.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1))
    expect(store.halted).toBeNull()
    expect(storage.appended.length).toBeGreaterThan(1)
    // A batch stops growing past 8 MiB: a piece holds at most that plus its last entry.
    expect(Math.max(...storage.appended)).toBeLessThanOrEqual(9 * MiB + 1024)
    await store.close()
    const reopened = await createStore(notes, { storage: new FileJournalStorage(dir) })
    expect(reopened.state).toEqual({ count: 48, bytes: 48 * MiB })
    await reopened.close()
  })

  it('survives 9,000 concurrent dispatches of 64 KB each (more than one string can hold)', async () => {
    const store = await createStore(notes, { storage: new FileJournalStorage(dir), durability: 'none' })
    const text = 'x'.repeat(64 * 1024)
    const outcomes = await Promise.allSettled(Array.from({ length: 9_000 }, () => store.dispatch('note', text)))
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([])
    expect(store.halted).toBeNull()
    await expect(store.dispatch('note', 'after')).resolves.toMatchObject({ seq: 9_001 })
    await store.close()
  }, 60_000)

  it('refuses an entry larger than maxEntryBytes at dispatch with ENTRY_TOO_LARGE, and goes on', async () => {
    const store = await createStore(notes, { storage: new FileJournalStorage(dir), maxEntryBytes: 4096 })
    const error = (await store.dispatch('note', 'y'.repeat(5000)).then(
      () => expect.unreachable('an entry over the limit was written'),
      (e: unknown) => e,
    )) as StoreError
    expect(isStoreError(error, 'ENTRY_TOO_LARGE')).toBe(true)
    expect(error.message).toContain('4096')
    expect(error.details).toMatchObject({ transaction: 'note', expected: 'at most 4096 bytes' })
    expect(store.halted).toBeNull()
    await expect(store.dispatch('note', 'small')).resolves.toMatchObject({ seq: 1 })
    await store.close()
  })

  it('refuses an entry over the default limit (64 MiB) at dispatch', async () => {
    const store = await createStore(notes, { storage: new FileJournalStorage(dir) })
    await expect(store.dispatch('note', 'z'.repeat(64 * MiB + 1))).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' })
    expect(store.halted).toBeNull()
    await store.close()
  })
})
