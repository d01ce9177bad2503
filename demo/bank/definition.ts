import { Collection, defineStore } from '../../lib/index.js'

/** One account of the bank. */
export interface Account {
  readonly id: string
  readonly owner: string
  /** When it was opened (ms since the epoch, the transaction's journaled time). */
  readonly opened: number
  readonly balance: number
}

/** A transfer the bank refused; the recipe throws it, so nothing is journaled. */
export class TransferDeclined extends Error {
  override readonly name = 'TransferDeclined'
}

/**
 * A bank: accounts in one ref; money enters by opening an account and then only moves.
 * The accounts are a Collection: a transfer copies only the short path to the two accounts it
 * changes, so it costs the same with a thousand accounts or a million.
 */
export const bank = defineStore({
  refs: { accounts: new Collection<Account>() },
  transactions: {
    /** Opens an account with a first deposit; returns its id. */
    openAccount(state, owner: string, deposit: number) {
      if (!Number.isSafeInteger(deposit) || deposit < 0) throw new TransferDeclined(`a first deposit must be a whole amount of 0 or more, got ${deposit}`)
      // The id comes from the transaction context, so a replay gives the account the same id.
      const id = this.id()
      state.accounts.set(id, { id, owner, opened: this.time, balance: deposit })
      return id
    },
    /** Moves `amount` from one account to another; declines when the payer cannot cover it. */
    transfer(state, from: string, to: string, amount: number) {
      const payer = state.accounts.get(from)
      const payee = state.accounts.get(to)
      if (!payer || !payee) throw new TransferDeclined(`no account ${payer ? to : from}`)
      if (from === to) throw new TransferDeclined(`a transfer needs two accounts, got ${from} twice`)
      if (!Number.isSafeInteger(amount) || amount <= 0) throw new TransferDeclined(`an amount must be a whole number above 0, got ${amount}`)
      if (payer.balance < amount) throw new TransferDeclined(`insufficient funds: ${from} holds ${payer.balance}, asked for ${amount}`)
      payer.balance -= amount
      payee.balance += amount
    },
  },
})

/** The sum of every balance: what transfers must never change. */
export function totalBalance(accounts: { values(): Iterable<Account> }): number {
  let total = 0
  for (const account of accounts.values()) total += account.balance
  return total
}
