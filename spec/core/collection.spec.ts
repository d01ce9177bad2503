import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Collection, createStore, defineStore, MemoryJournalStorage } from '../../lib/index.js'

const bank = defineStore({
  refs: { accounts: new Collection<{ balance: number; since: Date }>() },
  transactions: {
    open(state, id: string, balance: number) {
      state.accounts.set(id, { balance, since: this.date() })
    },
    close(state, id: string) {
      state.accounts.delete(id)
    },
    move(state, from: string, to: string, amount: number) {
      state.accounts.get(from)!.balance -= amount
      state.accounts.get(to)!.balance += amount
    },
  },
})

describe('Collection', () => {
  it('behaves like a Map of string keys, for any sequence of sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 4 }), fc.integer())), (ops) => {
        const collection = new Collection<number>()
        const model = new Map<string, number>()
        for (const [isSet, key, value] of ops) {
          if (isSet) {
            collection.set(key, value)
            model.set(key, value)
          } else expect(collection.delete(key)).toBe(model.delete(key))
        }
        expect(collection.size).toBe(model.size)
        expect(new Map(collection.entries())).toEqual(model)
        for (const key of model.keys()) expect(collection.get(key)).toBe(model.get(key))
        expect(collection.has('__proto__')).toBe(model.has('__proto__'))
      }),
    )
  })

  it('is changed inside recipes, shares untouched entries, freezes and replays', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(bank, { storage })
    for (let i = 0; i < 200; i++) await store.dispatch('open', `acct-${i}`, 100)
    const before = store.refs.accounts.value
    await store.dispatch('move', 'acct-1', 'acct-2', 40)
    await store.dispatch('close', 'acct-3')
    const after = store.refs.accounts.value
    expect(after).not.toBe(before)
    expect(after.size).toBe(199)
    expect(after.get('acct-1')!.balance).toBe(60)
    expect(before.get('acct-1')!.balance).toBe(100)
    expect(after.get('acct-9')).toBe(before.get('acct-9'))
    expect(Object.isFrozen(after.get('acct-1'))).toBe(true)
    const committed = after as unknown as Collection<{ balance: number }>
    expect(() => committed.set('x', { balance: 1 })).toThrow(TypeError)
    expect(() => committed.set('acct-1', { balance: 1 })).toThrow(TypeError)
    expect(() => committed.delete('acct-1')).toThrow(TypeError)
    expect(committed.get('acct-1')!.balance).toBe(60)
    await store.close()
    const replayed = await createStore(bank, { storage })
    expect(replayed.refs.accounts.value.toObject()).toEqual(after.toObject())
    expect(replayed.refs.accounts.value.get('acct-5')!.since).toBeInstanceOf(Date)
    await replayed.close()
  })

  it('travels as an argument and serializes as a plain object of its entries', async () => {
    const store = await createStore(
      defineStore({ refs: { copy: new Collection<number>() }, transactions: { put(state, c: Collection<number>) { state.copy = c } } }),
      { storage: new MemoryJournalStorage() },
    )
    await store.dispatch('put', Collection.from({ a: 1, b: 2 }))
    expect(store.refs.copy.value.toObject()).toEqual({ a: 1, b: 2 })
    expect(JSON.parse(JSON.stringify(store.refs.copy.value))).toEqual({ a: 1, b: 2 })
    await store.close()
  })
})
