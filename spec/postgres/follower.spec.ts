import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFollower, createStore, isStoreError } from '../../lib/index.js'
import { seedCommand } from '../fixtures/arbitraries.js'
import { seed } from '../fixtures/definitions.js'
import { reaches } from '../fixtures/follow.js'
import { pgSchema } from '../fixtures/postgres.js'

type Dispatch = (name: string, ...args: unknown[]) => Promise<unknown>
const db = pgSchema('follower')
let n = 0

describe('followers on PostgreSQL', () => {
  it('show at every seq they report the writer’s state at that seq, for any transactions and batches (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(seedCommand, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 }), async (batches) => {
        const store = `prop-${n++}`
        const writer = await createStore(seed, { storage: db.storage(store), snapshots: false })
        const states = new Map<number, unknown>([[0, writer.state]])
        writer.state$.subscribe((state) => states.set(writer.seq, state))
        const follower = await createFollower(seed, { storage: db.storage(store) })
        const seen: Array<[number, unknown]> = []
        follower.state$.subscribe((state) => seen.push([follower.seq, state]))
        for (const batch of batches) await Promise.allSettled(batch.map(([name, ...args]) => (writer.dispatch as Dispatch)(name, ...args)))
        await reaches(follower, writer.seq)
        for (const [seq, state] of seen) expect(state).toEqual(states.get(seq))
        await follower.close()
        await writer.close()
      }),
      { numRuns: 15 },
    )
  })

  it('a standby takes over once the writer’s lease is free, and a follower goes on through the change of writer', async () => {
    const store = `standby-${n++}`
    const writer = await createStore(seed, { storage: db.storage(store, { leaseMs: 500 }), snapshots: false })
    await writer.dispatch('add', 1, 1)
    const follower = await createFollower(seed, { storage: db.storage(store) })
    const standby = await createFollower(seed, { storage: db.storage(store), standby: { storage: () => db.storage(store, { leaseMs: 500 }), pollMs: 25 } })
    const refused = await standby.dispatch('add', 2, 2).catch((error: unknown) => error)
    expect(isStoreError(refused, 'READ_ONLY')).toBe(true)
    expect((refused as Error).message).toContain(`pid ${process.pid}`)
    await writer.dispatch('add', 3, 3)
    await writer.close()
    await standby.promoted
    const { seq } = await standby.dispatch('add', 4, 4)
    expect(seq).toBe(3)
    await reaches(follower, 3)
    expect(follower.state).toEqual(standby.state)
    expect(follower.state.x).toBe(8)
    expect(follower.metrics()).toMatchObject({ role: 'follower', lag: { entries: 0 } })
    await standby.close()
    await follower.close()
  })
})
