import { defineStore } from '../../lib/index.js'

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
