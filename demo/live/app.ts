import type { IncomingMessage } from 'node:http'
import { Collection, defineStore } from '../../lib/index.js'
import { defineViews } from '../../lib/server/index.js'

/** Someone signed in to the bank. */
export interface User {
  readonly name: string
}

/** One account: its owner's name is its id. */
export interface Account {
  readonly owner: string
  readonly balance: number
}

/** A line of an owner's statement. */
export interface StatementLine {
  readonly seq: number
  readonly time: number
  /** The other party. */
  readonly with: string
  /** Positive: money in; negative: money out. */
  readonly amount: number
  readonly note: string
}

/**
 * The live demo's bank: an account per user, and a statement per user. Money enters when an
 * account is opened and then only moves.
 */
export const bank = defineStore({
  refs: { accounts: new Collection<Account>(), statements: new Collection<StatementLine[]>() },
  transactions: {
    /** Opens `owner`'s account with a first deposit (the server does it, never a page). */
    open(state, owner: string, deposit: number) {
      if (state.accounts.has(owner)) throw new Error(`${owner} already has an account`)
      state.accounts.set(owner, { owner, balance: deposit })
      state.statements.set(owner, [])
    },
    /** Moves `amount` from one account to another; returns the payer's new balance. */
    transfer(state, from: string, to: string, amount: number, note: string) {
      const payer = state.accounts.get(from)
      const payee = state.accounts.get(to)
      if (!payer || !payee || from === to) throw new Error(`a transfer needs two different accounts, got ${from} and ${to}`)
      if (!Number.isSafeInteger(amount) || amount <= 0) throw new Error(`an amount must be a whole number above 0, got ${amount}`)
      if (payer.balance < amount) throw new Error(`insufficient funds: ${from} holds ${payer.balance}, asked for ${amount}`)
      payer.balance -= amount
      payee.balance += amount
      const line = { seq: this.seq, time: this.time, note: String(note).slice(0, 80) }
      state.statements.get(from)!.push({ ...line, with: to, amount: -amount })
      state.statements.get(to)!.push({ ...line, with: from, amount })
      return payer.balance
    },
  },
})

/** What each page may see: its own account and statement, and who else banks here. */
export const views = defineViews(bank, {
  account: (state, user: User) => state.accounts.get(user.name) ?? null,
  statement: (state, user: User) => state.statements.get(user.name) ?? [],
  // Names only: another user's balance never leaves the server.
  payees: (state, user: User) => [...state.accounts.keys()].filter((name) => name !== user.name).sort(),
})

/** The demo's users and their (demo-only) tokens. */
export const USERS: Readonly<Record<string, string>> = { alice: 'alice-token', bob: 'bob-token' }

/** Who is connecting: the `token` query parameter of the WebSocket URL (a real app would use a session cookie). */
export function authenticate(request: IncomingMessage): User | null {
  const token = new URL(request.url ?? '/', 'http://x').searchParams.get('token')
  const name = Object.keys(USERS).find((user) => USERS[user] === token)
  return name === undefined ? null : { name }
}

/** A page may only move money out of its own user's account. */
export function authorize(user: User, name: string, args: readonly unknown[]): boolean {
  return name === 'transfer' && args[0] === user.name
}
