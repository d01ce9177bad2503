import { describe, expect, it } from 'vitest'
import { openJournal, type JournalWarning } from '../core/journal.js'
import type { JournalStorage } from '../core/storage.js'

/**
 * A storage backend under test. Called once per test, it sets up empty storage for that test
 * and returns a function that opens it: each call a new instance over the same data, as a new
 * process would see it after a restart.
 */
export type StorageBackend = () => () => JournalStorage

const utf8 = new TextEncoder()

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/**
 * Declares the journal/snapshot storage contract as a vitest suite named after `name`: numbering
 * and reading back across reopens and segments, gaps, snapshots (when the storage has them),
 * replay, value round-trips, read-only opens, the single-writer lock and torn tails. Every
 * backend (memory, file, PostgreSQL, yours) must pass all of it. Call it at the top level of a
 * spec file; vitest must be installed (an optional peer dependency).
 *
 * @example
 * describeStorageContract('memory', () => {
 *   const storage = new MemoryJournalStorage()
 *   return () => storage
 * })
 */
export function describeStorageContract(name: string, backend: StorageBackend): void {
  describe(`storage contract: ${name}`, () => {
    it('numbers appended entries gap-free from 1 and reads them back in order, after a reopen', async () => {
      const storage = backend()
      const journal = await openJournal(storage())
      expect(journal.lastSeq).toBe(0)
      expect(await journal.append('deposit', ['ann', 10], Date.UTC(2026, 0, 1))).toBe(1)
      expect(await journal.append('withdraw', ['ann', 3])).toBe(2)
      await journal.sync()
      await journal.close()
      const again = await openJournal(storage())
      expect(again.lastSeq).toBe(2)
      const entries = []
      for await (const entry of again.entries()) entries.push(entry)
      expect(entries.map((e) => [e.seq, e.name, e.args])).toEqual([
        [1, 'deposit', ['ann', 10]],
        [2, 'withdraw', ['ann', 3]],
      ])
      expect(entries[0].time).toBe(Date.UTC(2026, 0, 1))
      expect(await again.append('deposit', ['bob', 1])).toBe(3)
      await again.close()
    })

    it('continues in a new segment, reads across segments from any seq, and refuses a removed start with JOURNAL_GAP', async () => {
      const storage = backend()
      const journal = await openJournal(storage())
      for (const amount of [1, 2, 3]) await journal.append('deposit', ['ann', amount])
      await journal.roll()
      for (const amount of [4, 5]) await journal.append('deposit', ['ann', amount])
      await journal.sync()
      await journal.close()
      const reader = storage()
      const again = await openJournal(reader, { write: false })
      expect((await collect(again.entries())).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
      expect((await collect(again.entries(4))).map((e) => e.args[1])).toEqual([4, 5])
      expect((await reader.segments!()).map((segment) => segment.firstSeq)).toEqual([1, 4])
      await again.close()
      const writer = storage()
      const pruning = await openJournal(writer)
      expect(await writer.removeSegmentsThrough!(3)).toBe(1)
      expect(await pruning.append('deposit', ['ann', 6])).toBe(6)
      await pruning.close()
      await expect(openJournal(storage(), { write: false })).rejects.toMatchObject({ code: 'JOURNAL_GAP', details: { seq: 1 } })
      const pruned = await openJournal(storage(), { write: false, fromSeq: 4 })
      expect(pruned.lastSeq).toBe(6)
      expect((await collect(pruned.entries(4))).map((e) => e.seq)).toEqual([4, 5, 6])
      await expect(collect(pruned.entries())).rejects.toMatchObject({ code: 'JOURNAL_GAP', details: { seq: 1 } })
      await pruned.close()
    })

    // Snapshot storage is optional: a backend without it passes the journal part alone.
    if (backend()().snapshots) {
      it('writes snapshots whole, lists them oldest first, reads them back line by line and removes them', async () => {
        const storage = backend()()
        await storage.open({ write: true })
        const { snapshots } = storage
        const lines = ['{"snapshot":1}\n', '{"part":"é"}\n', '{"end":2}\n']
        expect(await snapshots!.write(9, lines)).toMatchObject({ seq: 9 })
        await snapshots!.write(5, (function* () {
          yield* lines
        })())
        expect((await snapshots!.list()).map((info) => info.seq)).toEqual([5, 9])
        const read = (await collect(snapshots!.read(9))).flat()
        expect(read).toEqual(lines.map((line) => line.slice(0, -1)))
        await snapshots!.remove(5)
        expect((await snapshots!.list()).map((info) => [info.seq, info.bytes])).toEqual([[9, utf8.encode(lines.join('')).length]])
        await storage.close()
      })

    }

    it('replays entries into handlers of the user’s own', async () => {
      const storage = backend()
      const journal = await openJournal(storage())
      await journal.append('deposit', ['ann', 10])
      await journal.append('deposit', ['bob', 5])
      await journal.append('withdraw', ['ann', 4])
      const balances = new Map<string, number>()
      const count = await journal.replay({
        deposit: (who: string, amount: number) => balances.set(who, (balances.get(who) ?? 0) + amount),
        withdraw: (who: string, amount: number) => balances.set(who, (balances.get(who) ?? 0) - amount),
      })
      expect(count).toBe(3)
      expect(Object.fromEntries(balances)).toEqual({ ann: 6, bob: 5 })
      await expect(journal.replay({ deposit: () => {} })).rejects.toMatchObject({ code: 'UNKNOWN_TRANSACTION', details: { seq: 3, transaction: 'withdraw' } })
      await journal.close()
    })

    it('round-trips Map, Set, Date, BigInt, undefined and non-finite numbers', async () => {
      const storage = backend()
      const journal = await openJournal(storage())
      const args = [new Map([['k', new Set([1, 2])]]), new Date(86_400_000), 2n ** 70n, undefined, Number.NaN, -Infinity, -0, { nested: [new Date(0)] }]
      await journal.append('values', args)
      await journal.close()
      const again = await openJournal(storage(), { write: false })
      const [entry] = await collect(again.entries())
      expect(entry.args).toEqual(args)
      expect(Object.is(entry.args[6], -0)).toBe(true)
      await again.close()
    })

    it('opens read-only without taking the write lock', async () => {
      const storage = backend()
      const writer = await openJournal(storage())
      await writer.append('a', [1])
      const reader = await openJournal(storage(), { write: false })
      expect(reader.lastSeq).toBe(1)
      await expect(reader.append('a', [2])).rejects.toThrow(/read-only/)
      await reader.close()
      await writer.close()
    })

    it('refuses a second writer with LOCKED', async () => {
      const storage = backend()
      const writer = await openJournal(storage())
      await expect(openJournal(storage())).rejects.toMatchObject({ code: 'LOCKED' })
      await writer.close()
      const next = await openJournal(storage())
      await next.close()
    })

    it('cuts a torn last entry off with a warning and goes on from there', async () => {
      const storage = backend()
      const journal = await openJournal(storage())
      await journal.append('a', [1])
      await journal.append('a', [2])
      await journal.close()
      const s = storage()
      await s.open({ write: true })
      await s.append('{"seq":3,"time":"2026-')
      await s.sync()
      await s.close()
      const warnings: JournalWarning[] = []
      const reopened = await openJournal(storage(), { onWarning: (w) => warnings.push(w) })
      expect(reopened.lastSeq).toBe(2)
      expect(warnings.map((w) => w.code)).toEqual(['TORN_TAIL'])
      expect(await reopened.append('a', [3])).toBe(3)
      await reopened.close()
      const clean = await openJournal(storage(), { onWarning: (w) => warnings.push(w) })
      expect((await collect(clean.entries())).map((e) => e.args[0])).toEqual([1, 2, 3])
      expect(warnings).toHaveLength(1)
      await clean.close()
    })
  })
}
