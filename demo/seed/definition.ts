import { defineStore, type Store } from '../../lib/index.js'

/** The seed example: refs x, y and s, and four transactions. */
export const seed = defineStore({
  refs: { x: 0, y: 0, s: {} as Record<string, unknown> },
  transactions: {
    add(state, dx: number, dy: number) {
      state.x += dx
      state.y += dy
    },
    swap(state) {
      ;[state.x, state.y] = [state.y, state.x]
    },
    inc(state) {
      state.x++
      state.y++
    },
    setS(state, value: Record<string, unknown>) {
      state.s = value
    },
  },
})

/** The first run's transactions, in order: afterwards x = 23, y = 12, s = { a: 'bb', key: Set { 'val1', 'val2' } }. */
export async function firstRun(store: Pick<Store<typeof seed.refs, typeof seed.transactions>, 'dispatch'>): Promise<void> {
  await store.dispatch('add', 1, 2)
  await store.dispatch('add', 10, 20)
  await store.dispatch('swap')
  await store.dispatch('inc')
  await store.dispatch('setS', { a: 'bb', key: new Set(['val1', 'val2']) })
}
