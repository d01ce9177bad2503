import { defineStore } from '../../lib/index.js'

/** Orders taken by whichever process writes; every process shows the same list. */
export const orders = defineStore({
  refs: { orders: [] as Array<{ id: string; item: string; by: string; at: number }> },
  transactions: {
    place(state, item: string, by: string) {
      state.orders.push({ id: this.id(), item, by, at: this.time })
    },
  },
})
