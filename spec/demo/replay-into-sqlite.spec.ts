import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { bank } from '../../demo/replay-into-sqlite/definition.js'
import { replayIntoSqlite } from '../../demo/replay-into-sqlite/replay-into-sqlite.js'
import { openStore } from '../../lib/index.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

let dir = ''
eachTempDir('sqlite', (path) => (dir = path))

describe('demo: replay into SQLite', () => {
  it('writes rows whose balances and ids equal the store state', async () => {
    const store = await openStore(bank, { dir })
    const ids: string[] = []
    for (const owner of ['ann', 'bob', 'cy']) ids.push((await store.dispatch('open', owner)).result)
    for (let i = 0; i < 30; i++) await store.dispatch('deposit', ids[i % 3], i)
    await Promise.allSettled(Array.from({ length: 30 }, (_, i) => store.dispatch('transfer', ids[i % 3], ids[(i + 1) % 3], 7 * i)))
    await store.dispatch('close', ids[2])
    const expected = Object.fromEntries(Object.entries(store.state.accounts).map(([id, a]) => [id, a.balance]))
    const seq = store.seq
    await store.close()

    expect(await replayIntoSqlite(dir, join(dir, 'bank.sqlite'))).toBe(seq)
    const db = new Database(join(dir, 'bank.sqlite'), { readonly: true })
    const rows = db.prepare('SELECT a.id, COALESCE(SUM(m.amount), 0) AS balance FROM accounts a LEFT JOIN movements m ON m.account = a.id GROUP BY a.id').all() as Array<{ id: string; balance: number }>
    expect(Object.fromEntries(rows.map((r) => [r.id, r.balance]))).toEqual(expected)
    expect(db.prepare('SELECT id FROM accounts WHERE closed_at IS NOT NULL').all()).toEqual([{ id: ids[2] }])
    db.close()
  })
})
