// Runs the example: a store writes a journal, then the journal is replayed into SQLite.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openStore } from '../../lib/index.js'
import { bank } from './definition.js'
import { replayIntoSqlite } from './replay-into-sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'prevalent-sqlite-'))
try {
  // 1. The prevalent system at work.
  const store = await openStore(bank, { dir })
  const ann = (await store.dispatch('open', 'ann')).result
  const bob = (await store.dispatch('open', 'bob')).result
  await store.dispatch('deposit', ann, 100)
  await store.dispatch('deposit', bob, 20)
  await store.dispatch('transfer', ann, bob, 30)
  await store.dispatch('withdraw', bob, 45)
  await store.dispatch('withdraw', ann, 500).catch((e: Error) => console.log(`refused, and never journaled: ${e.message}`))
  await store.dispatch('close', bob)
  const balances = Object.entries(store.state.accounts).map(([id, a]) => ({ id, owner: a.owner, balance: a.balance }))
  await store.close()

  // 2. The journal replayed into another database.
  const dbFile = join(dir, 'bank.sqlite')
  const entries = await replayIntoSqlite(dir, dbFile)
  console.log(`replayed ${entries} journal entries into bank.sqlite\n`)

  const db = new Database(dbFile, { readonly: true })
  const rows = db
    .prepare(`SELECT a.id, a.owner, COALESCE(SUM(m.amount), 0) AS balance, a.closed_at IS NOT NULL AS closed
              FROM accounts a LEFT JOIN movements m ON m.account = a.id GROUP BY a.id ORDER BY a.id`)
    .all() as Array<{ id: string; owner: string; balance: number; closed: number }>
  console.log('SQLite:  ', rows.map((r) => `${r.owner} (${r.id}) ${r.balance}${r.closed ? ', closed' : ''}`).join('; '))
  console.log('prevalent:', balances.map((b) => `${b.owner} (${b.id}) ${b.balance}`).join('; '))
  console.log('\nmovements:')
  console.table(db.prepare('SELECT seq, account, amount, kind FROM movements ORDER BY seq, amount').all())
  db.close()
  const same = rows.every((r) => balances.find((b) => b.id === r.id)?.balance === r.balance) && rows.length === balances.length
  console.log(same ? 'the two agree' : 'MISMATCH between SQLite and the store')
  if (!same) process.exitCode = 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
