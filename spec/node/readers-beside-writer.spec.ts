import { describe, expect, it } from 'vitest'
import { createStoreAt, FileJournalStorage, openStore, type JournalChunk, type Store } from '../../lib/index.js'
import { bank, BANK_TOTAL, total } from '../fixtures/bank.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

type Bank = Store<typeof bank.refs, typeof bank.transactions>

/** The writer's next step: ten transfers, then a snapshot that prunes what the reader was about to read. */
async function pruneAhead(writer: Bank): Promise<void> {
  for (let i = 0; i < 10; i++) await writer.dispatch('transfer', i, i + 1, 1)
  await writer.snapshot()
}

/** A reader's storage at which the writer prunes once, at the moment `when` names. */
class RacingStorage extends FileJournalStorage {
  #raced = false

  constructor(dir: string, readonly writer: Bank, readonly when: 'before-journal' | 'before-snapshot') {
    super(dir)
    const read = this.snapshots.read.bind(this.snapshots)
    const race = this.#race.bind(this)
    this.snapshots.read = async function* (seq: number) {
      if (when === 'before-snapshot') await race()
      yield* read(seq)
    }
  }

  override async *read(fromSeq?: number): AsyncIterable<JournalChunk> {
    if (this.when === 'before-journal') await this.#race()
    yield* super.read(fromSeq)
  }

  async #race(): Promise<void> {
    if (this.#raced) return
    this.#raced = true
    await pruneAhead(this.writer)
  }
}

describe('readers beside a writer that prunes (issue 11)', () => {
  let dir = ''
  eachTempDir('readers', (path) => (dir = path))

  for (const when of ['before-journal', 'before-snapshot'] as const) {
    it(`reads again when the writer pruned between its listing and its reading (${when})`, async () => {
      const writer = await openStore(bank, { dir, snapshots: { keep: 1, pruneJournal: true } })
      await pruneAhead(writer)
      await pruneAhead(writer)
      for (let i = 0; i < 3; i++) await writer.dispatch('transfer', 5, 6, 1)
      try {
        const reader = await createStoreAt(bank, { storage: new RacingStorage(dir, writer, when) })
        expect(reader.seq).toBeGreaterThanOrEqual(23)
        expect(total(reader.state.balances)).toBe(BANK_TOTAL)
        await reader.close()
      } finally {
        await writer.close()
      }
    })
  }
})
