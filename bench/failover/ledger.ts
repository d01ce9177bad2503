import { defineStore } from '../../lib/index.js'

/** What the failover runs write: each transaction records one unique id. */
export const ledger = defineStore({
  refs: { count: 0, last: '' },
  transactions: {
    put(state, id: string) {
      state.count++
      state.last = id
    },
  },
})
