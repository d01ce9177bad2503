import { describe, expect, it } from 'vitest'
import { createStore, defineStore } from '../../lib/core/index.js'
import { MemoryJournalStorage, TestClock } from '../../lib/testing/index.js'

const log = defineStore({
  refs: { times: [] as number[] },
  transactions: {
    stamp(state) {
      state.times.push(this.time)
    },
  },
})

describe('TestClock', () => {
  it('gives transactions the time it is set to, and journals it for replay', async () => {
    const clock = new TestClock(Date.UTC(2026, 0, 1))
    const storage = new MemoryJournalStorage()
    const store = await createStore(log, { storage, clock: clock.now })
    await store.dispatch('stamp')
    expect(clock.advance(60_000)).toBe(Date.UTC(2026, 0, 1, 0, 1))
    await store.dispatch('stamp')
    clock.set(Date.UTC(2027, 5, 1))
    await store.dispatch('stamp')
    expect(store.refs.times.value).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 1), Date.UTC(2027, 5, 1)])
    await store.close()
    const again = await createStore(log, { storage, clock: new TestClock().now })
    expect(again.refs.times.value).toEqual(store.refs.times.value)
    await again.close()
  })

  it('never lets a store journal a time that goes backwards', async () => {
    const clock = new TestClock(5_000)
    const store = await createStore(log, { storage: new MemoryJournalStorage(), clock: clock.now })
    await store.dispatch('stamp')
    clock.set(1_000)
    await store.dispatch('stamp')
    expect(store.refs.times.value).toEqual([5_000, 5_000])
    await store.close()
  })
})
