import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createStore, MemoryJournalStorage, openStore } from '../../lib/index.js'
import { bank, seed, total } from '../fixtures/definitions.js'
import { seedCommand } from '../fixtures/arbitraries.js'

describe('replay', () => {
  it('rebuilds a state deep-equal to the live one, for any sequence of transactions and batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(seedCommand, { minLength: 1, maxLength: 6 }), { maxLength: 12 }), async (batches) => {
        const storage = new MemoryJournalStorage()
        const store = await createStore(seed, { storage })
        for (const batch of batches) {
          // Commands of one batch are dispatched in the same tick, so they share a write.
          await Promise.allSettled(batch.map(([name, ...args]) => (store.dispatch as (n: string, ...a: unknown[]) => Promise<unknown>)(name, ...args)))
        }
        const live = store.state
        await store.close()
        for (const replay of ['plain', 'immer'] as const) {
          const replayed = await createStore(seed, { storage, replay })
          expect(replayed.state).toEqual(live)
          expect(Object.isFrozen(replayed.state.s)).toBe(true)
          await replayed.close()
        }
      }),
      { numRuns: 150 },
    )
  })

  it('rebuilds a bank from the file journal with the same balances, ids and total', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(4), fc.nat(4), fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 60 }),
        async (transfers) => {
          const dir = mkdtempSync(join(tmpdir(), 'prevalent-prop-'))
          try {
            const store = await openStore(bank, { dir, durability: 'none' })
            const ids: string[] = []
            for (let i = 0; i < 5; i++) ids.push((await store.dispatch('open', `owner${i}`, 500)).result as string)
            await Promise.allSettled(transfers.map(([a, b, amount]) => store.dispatch('transfer', ids[a], ids[b], amount)))
            await store.dispatch('lottery', ids)
            const live = store.state
            await store.close()
            const replayed = await openStore(bank, { dir })
            expect(replayed.state).toEqual(live)
            expect(total(replayed.state.accounts)).toBe(2500)
            await replayed.close()
          } finally {
            rmSync(dir, { recursive: true, force: true })
          }
        },
      ),
      { numRuns: 40 },
    )
  })
})
