import { defineStore } from '../../lib/index.js'

/** A small bank, kept by a prevalent store: the system whose journal we later replay into SQLite. */
export const bank = defineStore({
  refs: {
    accounts: {} as Record<string, { owner: string; balance: number; opened: Date; closed?: Date }>,
  },
  transactions: {
    open(state, owner: string) {
      const id = this.id()
      state.accounts[id] = { owner, balance: 0, opened: this.date() }
      return id
    },
    deposit(state, id: string, amount: number) {
      state.accounts[id].balance += amount
    },
    withdraw(state, id: string, amount: number) {
      const account = state.accounts[id]
      if (account.balance < amount) throw new Error(`insufficient funds in ${id}`)
      account.balance -= amount
    },
    transfer(state, from: string, to: string, amount: number) {
      if (state.accounts[from].balance < amount) throw new Error(`insufficient funds in ${from}`)
      state.accounts[from].balance -= amount
      state.accounts[to].balance += amount
    },
    close(state, id: string) {
      state.accounts[id].closed = this.date()
    },
  },
})
