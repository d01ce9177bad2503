import { describe, expect, it } from 'vitest'
import { createFollower, createStore, MemoryJournalStorage, type FollowerWarning, type JournalChunk, type StoreWarning, type TailOptions } from '../../lib/index.js'
import { seed } from '../fixtures/definitions.js'
import { reaches } from '../fixtures/follow.js'

/** A memory journal whose tail can be held (the follower then stops reading, as a slow one would). */
function heldTail(storage: MemoryJournalStorage): { storage: MemoryJournalStorage; hold(): void; release(): void } {
  let gate: Promise<void> = Promise.resolve()
  let open = (): void => {}
  const held = Object.create(storage) as MemoryJournalStorage
  held.tail = async function* (fromSeq: number, options: TailOptions): AsyncGenerator<JournalChunk> {
    for await (const chunk of storage.tail(fromSeq, options)) {
      await gate
      yield chunk
    }
  }
  for (const key of ['open', 'read', 'close', 'segments', 'holder'] as const) (held as unknown as Record<string, unknown>)[key] = (storage[key] as (...a: unknown[]) => unknown).bind(storage)
  return {
    storage: held,
    hold: () => (gate = new Promise((resolve) => (open = resolve))),
    release: () => open(),
  }
}

describe('followers', () => {
  it('catches up from a newer snapshot when the entries it needed were pruned', async () => {
    const storage = new MemoryJournalStorage()
    const writer = await createStore(seed, { storage, snapshots: { keep: 1, pruneJournal: true, everyEntries: 1e9 } })
    await writer.dispatch('add', 1, 1)
    const slow = heldTail(storage)
    const warnings: Array<StoreWarning | FollowerWarning> = []
    const follower = await createFollower(seed, { storage: slow.storage, onWarning: (w) => warnings.push(w) })
    expect(follower.seq).toBe(1)
    slow.hold()
    await writer.dispatch('add', 2, 2)
    for (const n of [3, 4]) {
      await writer.snapshot()
      await writer.dispatch('add', n, n)
    }
    slow.release()
    await reaches(follower, writer.seq)
    expect(follower.state).toEqual(writer.state)
    expect(warnings.map((w) => w.code)).toContain('CAUGHT_UP_FROM_SNAPSHOT')
    await follower.close()
    await writer.close()
  })

  it('refuses a storage it cannot tail, and a dispatch, with clear codes', async () => {
    const storage = new MemoryJournalStorage()
    const untailable = Object.assign(Object.create(storage) as MemoryJournalStorage, { tail: undefined })
    await expect(createFollower(seed, { storage: untailable })).rejects.toMatchObject({ code: 'INVALID_DEFINITION' })
    const writer = await createStore(seed, { storage })
    const follower = await createFollower(seed, { storage })
    await expect(follower.dispatch('add', 1, 2)).rejects.toMatchObject({ code: 'READ_ONLY', message: expect.stringContaining('a writer in this process') })
    await expect(follower.snapshot()).rejects.toMatchObject({ code: 'READ_ONLY' })
    await follower.close()
    await writer.close()
  })

  it('halts with JOURNAL_GAP when the entries it needs were removed and no snapshot covers them', async () => {
    const storage = new MemoryJournalStorage()
    const writer = await createStore(seed, { storage, snapshots: false })
    await writer.dispatch('add', 1, 1)
    await writer.snapshot()
    await writer.dispatch('add', 2, 2)
    await writer.close()
    storage.dropSegment(1)
    await storage.snapshots.remove(1)
    await expect(createFollower(seed, { storage })).rejects.toMatchObject({ code: 'JOURNAL_GAP' })
  })
})
