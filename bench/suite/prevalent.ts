// This library on the bank workload: accounts in a Collection, one `transfer` transaction.
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { encodeArgs } from '../../lib/core/codec.js'
import { encodeEntry } from '../../lib/core/journal-entry.js'
import { Collection, defineStore, openStore, type OpenStoreOptions } from '../../lib/index.js'
import { inFlight, oneAtATime, timeMs, type Run } from './measure.js'
import { withTempDir } from './scratch.js'
import { accountId, checkBalances, OPENING, type Transfers } from './workload.js'

/** One account: a Collection value, changed in place inside a recipe. */
export interface Account {
  balance: number
}

/** The bank of the benchmark, with `accounts` accounts open from the start (the initial state). */
export function benchBank(accounts: number) {
  const initial = new Collection<Account>()
  for (let i = 0; i < accounts; i++) initial.set(accountId(i), { balance: OPENING })
  return defineStore({
    refs: { accounts: initial },
    transactions: {
      transfer(state, from: string, to: string, amount: number) {
        const payer = state.accounts.get(from)
        const payee = state.accounts.get(to)
        if (payer === undefined || payee === undefined) throw new Error(`no account ${payer ? to : from}`)
        if (payer.balance < amount) throw new Error(`insufficient funds in ${from}`)
        payer.balance -= amount
        payee.balance += amount
      },
    },
  })
}

type Options = Omit<OpenStoreOptions, 'dir'>
type Mode = 'seq' | 'inFlight'

/**
 * Opens a fresh store, runs the first `n` transfers one at a time or `width` in flight,
 * checks the final balances and closes it.
 */
export function runPrevalent(t: Transfers, n: number, mode: Mode, options: Options, width = 256): Promise<Run> {
  return withTempDir('prevalent', async (dir) => {
    const store = await openStore(benchBank(t.accounts), { dir, ...options })
    try {
      const transfer = (i: number) => store.dispatch('transfer', accountId(t.from[i]), accountId(t.to[i]), t.amount[i])
      const run = mode === 'seq' ? await oneAtATime(n, transfer) : await inFlight(n, width, transfer)
      const accounts = store.state.accounts
      checkBalances(`prevalent ${mode} ${JSON.stringify(options)}`, t, n, (i) => accounts.get(accountId(i))?.balance)
      return run
    } finally {
      await store.close()
    }
  })
}

/** Writes the first `n` transfers as the store's journal (`journal.ndjson` in `dir`), as the store would have. */
export function writeBankJournal(dir: string, t: Transfers, n: number): string {
  const file = join(dir, 'journal.ndjson')
  const fd = openSync(file, 'w')
  try {
    const start = Date.parse('2026-11-24T18:00:00.000Z')
    let text = ''
    for (let i = 0; i < n; i++) {
      const args = [accountId(t.from[i]), accountId(t.to[i]), t.amount[i]]
      text += encodeEntry(i + 1, new Date(start + Math.floor(i / 16)).toISOString(), 'transfer', encodeArgs('transfer', args).encoded)
      if (text.length > 1 << 20) {
        writeSync(fd, text)
        text = ''
      }
    }
    writeSync(fd, text)
  } finally {
    closeSync(fd)
  }
  return file
}

/** Opens a store on the journal in `dir` (already written; no automatic snapshots): ms until it is ready, after checking its balances. */
export async function prevalentReplay(dir: string, t: Transfers, n: number, options: Options = {}): Promise<number> {
  const bank = benchBank(t.accounts)
  let store: Awaited<ReturnType<typeof openStore<typeof bank.refs, typeof bank.transactions>>> | undefined
  const ms = await timeMs(async () => {
    store = await openStore(bank, { dir, snapshots: false, ...options })
  })
  try {
    const accounts = store!.state.accounts
    checkBalances('prevalent replay', t, n, (i) => accounts.get(accountId(i))?.balance)
  } finally {
    await store!.close()
  }
  return ms
}

/**
 * `open_snapshot_ms`: takes a snapshot of the state the journal in `dir` leads to, then times
 * an open from it (the snapshot, and no journal entry after it), after checking its balances.
 * Leaves the snapshot in `dir`: run it after every replay of that journal.
 */
export async function prevalentOpenSnapshot(dir: string, t: Transfers, n: number): Promise<number> {
  const writer = await openStore(benchBank(t.accounts), { dir, snapshots: false })
  try {
    await writer.snapshot()
  } finally {
    await writer.close()
  }
  return prevalentReplay(dir, t, n)
}

/**
 * CPU µs per transfer (user + system, the journal write included) with `durability: 'none'`,
 * one at a time, on a bank of `t.accounts` accounts held in a Collection.
 */
export async function txCost(t: Transfers, n: number): Promise<number> {
  const run = await runPrevalent(t, n, 'seq', { durability: 'none' })
  return run.cpuUs
}
