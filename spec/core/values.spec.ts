import { describe, expect, it } from 'vitest'
import { createStore, defineStore, MemoryJournalStorage, type StoreError } from '../../lib/index.js'

const box = defineStore({
  refs: { value: null as unknown },
  transactions: {
    put(state, value: unknown) {
      state.value = value
    },
  },
})

class Point {
  constructor(readonly x: number) {}
}

describe('values', () => {
  it('round-trips plain objects, arrays, Map, Set, Date and BigInt through the journal', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(box, { storage })
    const value = {
      list: [1, 'two', null, true, { deep: [3] }],
      map: new Map<unknown, unknown>([['a', new Set([1, 2])], [2, { when: new Date(1_700_000_000_000) }]]),
      big: 12345678901234567890n,
      when: new Date(0),
      missing: undefined,
      odd: [Number.NaN, Infinity, -0],
    }
    await store.dispatch('put', value)
    expect(store.refs.value.value).toEqual(value)
    await store.close()
    const again = await createStore(box, { storage })
    expect(again.refs.value.value).toEqual(value)
    await again.close()
  })

  it('gives the live recipe the journaled copy, so later changes by the caller do not leak in', async () => {
    const store = await createStore(box, { storage: new MemoryJournalStorage() })
    const mine = { n: 1 }
    const pending = store.dispatch('put', mine)
    mine.n = 2
    await pending
    expect(store.refs.value.value).toEqual({ n: 1 })
    expect(Object.isFrozen(mine)).toBe(false)
    await store.close()
  })

  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = { back: cyclic }
  const bad: Array<[string, unknown, string]> = [
    ['a function', { f: () => 1 }, 'args[0].f'],
    ['a symbol', [1, Symbol('s')], 'args[0][1]'],
    ['a cycle', cyclic, 'args[0].self.back'],
    ['a class instance', { at: [new Point(1)] }, 'args[0].at[0]'],
    ['a function in a Map', new Map([['k', () => 1]]), 'args[0].get("k")'],
    ['a function in a Set', new Set([() => 1]), 'args[0]<item 0>'],
    ['symbol keys', { [Symbol('k')]: 1 }, 'args[0]'],
  ]
  it.each(bad)('rejects %s at dispatch with UNSERIALIZABLE_ARGUMENT naming the path', async (_what, value, path) => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(box, { storage })
    const error = (await store.dispatch('put', value).catch((e: unknown) => e)) as StoreError
    expect(error).toMatchObject({ code: 'UNSERIALIZABLE_ARGUMENT', details: { path, transaction: 'put' } })
    expect(error.message).toContain(path)
    expect(storage.text).toBe('')
    expect(store.seq).toBe(0)
    await store.close()
  })
})
