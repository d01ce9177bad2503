import { defineStore } from '../lib/index.js'

/** Accounts in the bank of the long-running loops: a transfer moves money, the total never changes. */
export const ACCOUNTS = 10
/** Opening balance of each account. */
export const OPENING = 1_000

/** A bank whose total is ACCOUNTS × OPENING after any sequence of transfers. */
export const bank = defineStore({
  refs: { accounts: {} as Record<string, number>, transfers: 0 },
  transactions: {
    /** Opens every account at once, so a crash can never leave half of them open. */
    setup(state, count: number, balance: number) {
      if (Object.keys(state.accounts).length > 0) throw new Error('the bank is already set up')
      for (let i = 0; i < count; i++) state.accounts[`a${i}`] = balance
    },
    /** `memo` is journaled but not kept: it makes entries (and batches) as large as a test wants. */
    transfer(state, from: string, to: string, amount: number, memo?: string) {
      void memo
      const a = state.accounts[from]
      const b = state.accounts[to]
      if (a === undefined || b === undefined) throw new Error(`no such account: ${a === undefined ? from : to}`)
      if (a < amount) throw new Error(`insufficient funds in ${from}`)
      if (from === to) return
      state.accounts[from] = a - amount
      state.accounts[to] = b + amount
      state.transfers++
    },
  },
})

/** Sum of all balances. */
export function total(accounts: Readonly<Record<string, number>>): number {
  return Object.values(accounts).reduce((sum, b) => sum + b, 0)
}
