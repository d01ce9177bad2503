import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createStore, defineStore, FaultInjectingStorage, FileJournalStorage, type StoreWarning } from '../../lib/index.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

const notes = defineStore({
  refs: { notes: [] as string[] },
  transactions: {
    note(state, text: string) {
      state.notes.push(text)
    },
  },
})

describe('power loss that zeroes the first page of the last batch (issue 11)', () => {
  let dir = ''
  eachTempDir('power-loss', (path) => (dir = path))

  /** Acknowledges three notes, then writes `batch` without its fsync and loses power with the batch's first page zeroed. */
  async function image(batch: string[]): Promise<FaultInjectingStorage> {
    const storage = new FaultInjectingStorage(new FileJournalStorage(dir))
    const store = await createStore(notes, { storage })
    for (const text of ['a', 'b', 'c']) await store.dispatch('note', text)
    storage.inject({ on: 'sync', at: storage.syncs + 1, code: 'EIO' })
    await Promise.allSettled(batch.map((text) => store.dispatch('note', text)))
    await storage.powerLoss({ zeroFirstPage: true })
    await store.close()
    return storage
  }

  it('opens with a torn tail cut off (and kept aside) when no valid entry follows the damage', async () => {
    await image(['x'.repeat(6000)])
    const warnings: StoreWarning[] = []
    const store = await createStore(notes, { storage: new FileJournalStorage(dir), onWarning: (w) => warnings.push(w) })
    expect(store.state.notes).toEqual(['a', 'b', 'c'])
    expect(warnings.map((w) => w.code)).toEqual(['TORN_TAIL'])
    const aside = readdirSync(dir).filter((name) => name.includes('.cut-'))
    expect(aside).toHaveLength(1)
    expect(warnings[0].message).toContain(join(dir, aside[0]))
    expect(readFileSync(join(dir, aside[0]), 'utf8')).toMatch(/^\0+x+"\],"crc":"[0-9a-f]+"\}\n$/)
    await store.dispatch('note', 'd')
    await store.close()
    const again = await createStore(notes, { storage: new FileJournalStorage(dir), onWarning: (w) => warnings.push(w) })
    expect(again.state.notes).toEqual(['a', 'b', 'c', 'd'])
    expect(warnings).toHaveLength(1)
    await again.close()
  })

  it('still refuses when valid entries follow the zeroed page', async () => {
    await image(Array.from({ length: 200 }, (_, i) => `note ${i} ${'y'.repeat(60)}`))
    await expect(createStore(notes, { storage: new FileJournalStorage(dir) })).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT' })
  })
})
