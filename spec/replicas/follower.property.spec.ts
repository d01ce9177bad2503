import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFollower, createStore, MemoryJournalStorage, openFollower, openStore } from '../../lib/index.js'
import { seedCommand } from '../fixtures/arbitraries.js'
import { seed } from '../fixtures/definitions.js'
import { reaches } from '../fixtures/follow.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

type Dispatch = (name: string, ...args: unknown[]) => Promise<unknown>
const batches = fc.array(fc.array(seedCommand, { minLength: 1, maxLength: 6 }), { maxLength: 10 })

describe('followers (property)', () => {
  let dir = ''
  eachTempDir('follower-prop', (d) => (dir = d))

  it('shows at every seq it reports the state the writer had at that seq, for any transactions, batches and snapshots', async () => {
    await fc.assert(
      fc.asyncProperty(batches, batches, fc.boolean(), async (before, after, snapshotBetween) => {
        const storage = new MemoryJournalStorage()
        const writer = await createStore(seed, { storage, snapshots: false })
        const states = new Map<number, unknown>([[0, writer.state]])
        writer.state$.subscribe((state) => states.set(writer.seq, state))
        const run = async (commands: typeof before): Promise<void> => {
          for (const batch of commands) await Promise.allSettled(batch.map(([name, ...args]) => (writer.dispatch as Dispatch)(name, ...args)))
        }
        await run(before)
        if (snapshotBetween) await writer.snapshot()
        const follower = await createFollower(seed, { storage })
        const seen: Array<[number, unknown]> = []
        follower.state$.subscribe((state) => seen.push([follower.seq, state]))
        await run(after)
        await reaches(follower, writer.seq)
        for (const [seq, state] of seen) {
          expect(states.has(seq)).toBe(true)
          expect(state).toEqual(states.get(seq))
        }
        expect(follower.state).toEqual(writer.state)
        expect(new Set(seen.map(([seq]) => seq)).size).toBe(seen.length)
        await follower.close()
        await writer.close()
      }),
      { numRuns: 60 },
    )
  })

  it('follows a file journal written by another store object, through snapshots, rolls and pruning', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(batches, fc.boolean()), { minLength: 1, maxLength: 4 }), async (rounds) => {
        const writer = await openStore(seed, { dir, snapshots: { keep: 1, pruneJournal: true, everyEntries: 1e9 } })
        const follower = await openFollower(seed, { dir, onWarning: () => {} })
        const seqs: number[] = []
        follower.commits$.subscribe((commit) => seqs.push(commit.seq))
        let from = follower.seq
        for (const [commands, snapshot] of rounds) {
          for (const batch of commands) await Promise.allSettled(batch.map(([name, ...args]) => (writer.dispatch as Dispatch)(name, ...args)))
          if (snapshot) await writer.snapshot()
        }
        await reaches(follower, writer.seq)
        expect(follower.state).toEqual(writer.state)
        // Each entry shown once, in order (a catch-up from a snapshot jumps without commits).
        for (const seq of seqs) {
          expect(seq).toBeGreaterThan(from)
          from = seq
        }
        await follower.close()
        await writer.close()
      }),
      { numRuns: 15 },
    )
  })
})
