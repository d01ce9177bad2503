import { afterEach, describe, expect, it } from 'vitest'
import { createStore, defineStore, FileJournalStorage, openFileJournal } from '../../lib/index.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

const notes = defineStore({
  refs: { count: 0 },
  transactions: {
    note(state, text: string) {
      void text
      state.count++
    },
  },
})

const { concat } = Buffer
afterEach(() => {
  Buffer.concat = concat
})

describe('a journal with a very long line (issue 11)', () => {
  let dir = ''
  eachTempDir('long-lines', (path) => (dir = path))

  it('is read in time linear in its bytes: each byte is copied a bounded number of times', async () => {
    const MiB = 1024 * 1024
    const store = await createStore(notes, { storage: new FileJournalStorage(dir), maxEntryBytes: 128 * MiB })
    await store.dispatch('note', 'before')
    await store.dispatch('note', 'L'.repeat(24 * MiB))
    await store.dispatch('note', 'after')
    await store.close()

    let copied = 0
    Buffer.concat = (list: readonly Uint8Array[], length?: number) => {
      const joined = concat(list, length)
      copied += joined.length
      return joined
    }
    const journal = await openFileJournal(dir, { write: false })
    const lengths: number[] = []
    for await (const entry of journal.entries()) lengths.push((entry.args[0] as string).length)
    await journal.close()
    Buffer.concat = concat
    expect(lengths).toEqual([6, 24 * MiB, 5])
    // Joining the pieces of the long line once copies it once; growing it a piece at a time copied it ~12 times.
    expect(copied).toBeLessThanOrEqual(3 * 24 * MiB)
  })
})
