import { describe, expectTypeOf, it } from 'vitest'
import { createStore, defineStore, MemoryJournalStorage, type OnceReceipt, type Receipt } from '../../lib/index.js'

const counter = defineStore({
  refs: { n: 0, tags: new Set<string>() },
  transactions: {
    add(state, by: number) {
      state.n += by
    },
    tag(state, name: string, times?: number) {
      state.tags.add(name.repeat(times ?? 1))
    },
    make(state) {
      state.n++
      return this.id()
    },
  },
})

describe('dispatch types', () => {
  it('accepts the defined names with their argument types and returns the recipe result', async () => {
    const store = await createStore(counter, { storage: new MemoryJournalStorage() })
    expectTypeOf(store.dispatch('add', 1)).toEqualTypeOf<Promise<Receipt<void>>>()
    expectTypeOf(store.dispatch('make')).toEqualTypeOf<Promise<Receipt<string>>>()
    void store.dispatch('tag', 'a')
    void store.dispatch('tag', 'a', 2)
    expectTypeOf(store.refs.n.value).toEqualTypeOf<number>()
    expectTypeOf(store.refs.tags.value).toEqualTypeOf<ReadonlySet<string>>()
  })

  it('rejects a wrong name, a wrong argument type and a missing or extra argument at compile time', async () => {
    const store = await createStore(counter, { storage: new MemoryJournalStorage() })
    // @ts-expect-error unknown transaction name
    void store.dispatch('subtract', 1)
    // @ts-expect-error wrong argument type
    void store.dispatch('add', '1')
    // @ts-expect-error missing argument
    void store.dispatch('add')
    // @ts-expect-error extra argument
    void store.dispatch('make', 1)
  })

  it('types dispatchOnce like dispatch, after the key', async () => {
    const store = await createStore(counter, { storage: new MemoryJournalStorage() })
    expectTypeOf(store.dispatchOnce('k1', 'make')).toEqualTypeOf<Promise<OnceReceipt<string>>>()
    void store.dispatchOnce('k2', 'tag', 'a', 2)
    // @ts-expect-error unknown transaction name
    void store.dispatchOnce('k3', 'subtract', 1)
    // @ts-expect-error wrong argument type
    void store.dispatchOnce('k4', 'add', '1')
    // @ts-expect-error the key comes first
    void store.dispatchOnce('add', 1)
  })

  it('types the recipe context and the draft', () => {
    defineStore({
      refs: { list: [] as string[] },
      transactions: {
        push(state, item: string) {
          expectTypeOf(this.time).toEqualTypeOf<number>()
          expectTypeOf(this.id()).toEqualTypeOf<string>()
          state.list.push(item)
          // @ts-expect-error refs that do not exist
          state.missing = 1
        },
      },
    })
  })

  it('makes committed values read-only', async () => {
    const store = await createStore(defineStore({ refs: { list: [1] }, transactions: {} }), { storage: new MemoryJournalStorage() })
    // @ts-expect-error committed values are immutable
    store.refs.list.value.push(2)
    // @ts-expect-error the state is immutable
    store.state.list = []
  })
})

describe('Collection types', () => {
  it('gives recipes writable drafts of entries and readers frozen views', async () => {
    const { Collection } = await import('../../lib/index.js')
    const bank = defineStore({
      refs: { accounts: new Collection<{ readonly balance: number }>() },
      transactions: {
        credit(state, id: string, amount: number) {
          const account = state.accounts.get(id)
          if (account) account.balance += amount
          state.accounts.set(id, { balance: amount })
        },
      },
    })
    const store = await createStore(bank, { storage: new MemoryJournalStorage() })
    expectTypeOf(store.refs.accounts.value.get('a')).toEqualTypeOf<{ readonly balance: number } | undefined>()
    // @ts-expect-error readers get no mutating methods
    store.refs.accounts.value.set('a', { balance: 1 })
  })
})
