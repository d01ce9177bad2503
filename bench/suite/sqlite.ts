// better-sqlite3 on the bank workload: one row per account, WAL, a chosen `synchronous`.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { inFlight, oneAtATime, syncLoop, timeMs, type Run } from './measure.js'
import { withTempDir } from './scratch.js'
import { accountId, checkBalances, expectedBalances, OPENING, type Transfers } from './workload.js'

/** SQLite's `synchronous` setting: FULL fsyncs the WAL at every commit, NORMAL only at checkpoints, OFF never. */
export type Synchronous = 'FULL' | 'NORMAL' | 'OFF'
/** How transfers reach SQLite: each its own transaction (one at a time, or from `width` async callers), or `width` per transaction (the app batches). */
export type SqliteMode = 'seq' | 'inFlight' | 'batched'

function openBank(file: string, synchronous: Synchronous, balances?: Float64Array, accounts = 0): Database.Database {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous}`)
  db.exec('CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL)')
  if (balances || accounts > 0) {
    const insert = db.prepare('INSERT INTO accounts (id, balance) VALUES (?, ?)')
    db.transaction(() => {
      const n = balances?.length ?? accounts
      for (let i = 0; i < n; i++) insert.run(accountId(i), balances?.[i] ?? OPENING)
    })()
  }
  return db
}

/** A transfer as one SQLite transaction: debit only if funds suffice, then credit. */
function transferStatement(db: Database.Database): (from: string, to: string, amount: number) => void {
  const debit = db.prepare('UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?')
  const credit = db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?')
  return (from, to, amount) => {
    if (debit.run(amount, from, amount).changes !== 1) throw new Error(`insufficient funds in ${from}`)
    if (credit.run(amount, to).changes !== 1) throw new Error(`no account ${to}`)
  }
}

/** Runs the first `n` transfers against a fresh database; checks the final balances. */
export function runSqlite(t: Transfers, n: number, synchronous: Synchronous, mode: SqliteMode, width = 256): Promise<Run> {
  return withTempDir('sqlite', async (dir) => {
    const db = openBank(join(dir, 'bank.db'), synchronous, undefined, t.accounts)
    try {
      const statement = transferStatement(db)
      const transfer = db.transaction((i: number) => statement(accountId(t.from[i]), accountId(t.to[i]), t.amount[i]))
      let run: Run
      if (mode === 'seq') run = await oneAtATime(n, transfer)
      else if (mode === 'inFlight') run = await inFlight(n, width, async (i) => transfer(i))
      else {
        const batch = db.transaction((first: number) => {
          for (let i = first; i < Math.min(first + width, n); i++) statement(accountId(t.from[i]), accountId(t.to[i]), t.amount[i])
        })
        run = syncLoop(n, (i) => {
          if (i % width === 0) batch(i)
        })
      }
      const rows = new Map(db.prepare('SELECT id, balance FROM accounts').all().map((r) => [(r as { id: string }).id, (r as { balance: number }).balance]))
      checkBalances(`sqlite ${synchronous} ${mode}`, t, n, (i) => rows.get(accountId(i)))
      return run
    } finally {
      db.close()
    }
  })
}

/**
 * Ready after `n` transfers: SQLite stores the state itself, so this is the time to open a
 * database holding the balances after `n` transfers and read one figure from it.
 */
export function sqliteOpen(t: Transfers, n: number): Promise<number> {
  return withTempDir('sqlite-open', async (dir) => {
    const file = join(dir, 'bank.db')
    openBank(file, 'FULL', expectedBalances(t, n)).close()
    let db: Database.Database | undefined
    const ms = await timeMs(() => {
      db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
      const { total } = db.prepare('SELECT sum(balance) AS total FROM accounts').get() as { total: number }
      if (total !== OPENING * t.accounts) throw new Error(`sqlite open: total ${total}`)
    })
    db?.close()
    return ms
  })
}
