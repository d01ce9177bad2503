// The embedded JavaScript databases of the comparison: nedb (the maintained @seald-io fork),
// lowdb 7 and LokiJS, each on the bank workload the way its documentation suggests. None of
// them fsyncs: "durable" for them means "written to the OS", as far as they go.
import type NedbModule from '@seald-io/nedb'
import Loki from 'lokijs'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { closeSync, openSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { inFlight, oneAtATime, timeMs, type Run } from './measure.js'
import { withTempDir } from './scratch.js'
import { accountId, checkBalances, expectedBalances, OPENING, type Transfers } from './workload.js'

// nedb is CommonJS whose types declare an ES default export: require it as it is.
const Datastore = createRequire(import.meta.url)('@seald-io/nedb') as typeof NedbModule.default

/** `seq`: each transfer awaited before the next; `inFlight`: `width` callers at once. */
export type PeerMode = 'seq' | 'inFlight'

function drive(n: number, mode: PeerMode, transfer: (i: number) => Promise<unknown>, width = 256): Promise<Run> {
  return mode === 'seq' ? oneAtATime(n, transfer) : inFlight(n, width, transfer)
}

interface AccountDoc {
  _id: string
  balance: number
}

/** nedb: a transfer is two `updateAsync` calls (a guarded `$inc` debit, then the credit), each appended to its datafile. */
export function runNedb(t: Transfers, n: number, mode: PeerMode): Promise<Run> {
  return withTempDir('nedb', async (dir) => {
    const db = new Datastore<AccountDoc>({ filename: join(dir, 'bank.db') })
    await db.loadDatabaseAsync()
    await db.insertAsync(Array.from({ length: t.accounts }, (_, i) => ({ _id: accountId(i), balance: OPENING })))
    const run = await drive(n, mode, async (i) => {
      const from = accountId(t.from[i])
      const amount = t.amount[i]
      const debit = await db.updateAsync({ _id: from, balance: { $gte: amount } }, { $inc: { balance: -amount } })
      if (debit.numAffected !== 1) throw new Error(`insufficient funds in ${from}`)
      await db.updateAsync({ _id: accountId(t.to[i]) }, { $inc: { balance: amount } })
    })
    const docs = new Map((await db.findAsync({})).map((d: AccountDoc) => [d._id, d.balance] as const))
    checkBalances(`nedb ${mode}`, t, n, (i) => docs.get(accountId(i)))
    return run
  })
}

/**
 * nedb ready after `n` transfers: its datafile as nedb writes it (every insert, then the two
 * updated documents of each transfer, one JSON line each), loaded with `loadDatabaseAsync`
 * (which also compacts the file, as nedb always does at load).
 */
export function nedbLoad(t: Transfers, n: number): Promise<number> {
  return withTempDir('nedb-load', async (dir) => {
    const filename = join(dir, 'bank.db')
    const balances = new Float64Array(t.accounts).fill(OPENING)
    const fd = openSync(filename, 'w')
    let text = ''
    const put = (i: number): void => {
      text += `{"_id":"${accountId(i)}","balance":${balances[i]}}\n`
      if (text.length > 1 << 20) {
        writeSync(fd, text)
        text = ''
      }
    }
    for (let i = 0; i < t.accounts; i++) put(i)
    for (let i = 0; i < n; i++) {
      balances[t.from[i]] -= t.amount[i]
      put(t.from[i])
      balances[t.to[i]] += t.amount[i]
      put(t.to[i])
    }
    writeSync(fd, text)
    closeSync(fd)
    const db = new Datastore<AccountDoc>({ filename })
    const ms = await timeMs(() => db.loadDatabaseAsync())
    const docs = new Map((await db.findAsync({})).map((d: AccountDoc) => [d._id, d.balance] as const))
    checkBalances('nedb load', t, n, (i) => docs.get(accountId(i)))
    return ms
  })
}

type LowData = { accounts: Record<string, { balance: number }> }

/** lowdb: mutate `db.data`, then `await db.write()` (the whole JSON file rewritten; concurrent writes coalesce). */
export function runLowdb(t: Transfers, n: number, mode: PeerMode): Promise<Run> {
  return withTempDir('lowdb', async (dir) => {
    const accounts: LowData['accounts'] = {}
    for (let i = 0; i < t.accounts; i++) accounts[accountId(i)] = { balance: OPENING }
    const db = new Low<LowData>(new JSONFile(join(dir, 'bank.json')), { accounts })
    await db.write()
    const run = await drive(n, mode, (i) => {
      const payer = db.data.accounts[accountId(t.from[i])]
      const payee = db.data.accounts[accountId(t.to[i])]
      if (payer.balance < t.amount[i]) throw new Error('insufficient funds')
      payer.balance -= t.amount[i]
      payee.balance += t.amount[i]
      return db.write()
    })
    const reread = new Low<LowData>(new JSONFile(join(dir, 'bank.json')), { accounts: {} })
    await reread.read()
    checkBalances(`lowdb ${mode}`, t, n, (i) => reread.data.accounts[accountId(i)]?.balance)
    return run
  })
}

/** lowdb ready after `n` transfers: it stores the state, so this reads the JSON file of the balances after them. */
export function lowdbLoad(t: Transfers, n: number): Promise<number> {
  return withTempDir('lowdb-load', async (dir) => {
    const file = join(dir, 'bank.json')
    const balances = expectedBalances(t, n)
    const accounts: LowData['accounts'] = {}
    for (let i = 0; i < t.accounts; i++) accounts[accountId(i)] = { balance: balances[i] }
    await new Low<LowData>(new JSONFile(file), { accounts }).write()
    const db = new Low<LowData>(new JSONFile(file), { accounts: {} })
    const ms = await timeMs(() => db.read())
    checkBalances('lowdb load', t, n, (i) => db.data.accounts[accountId(i)]?.balance)
    return ms
  })
}

interface LokiAccount {
  id: string
  balance: number
}

function lokiDb(file: string): Loki {
  return new Loki(file, { adapter: new Loki.LokiFsAdapter(), autosave: false, throttledSaves: true })
}

function lokiSave(db: Loki): Promise<void> {
  return new Promise((done, fail) => db.saveDatabase((error) => (error ? fail(error) : done())))
}

function lokiLoad(db: Loki): Promise<void> {
  return new Promise((done, fail) => db.loadDatabase({}, (error) => (error ? fail(error) : done())))
}

/** LokiJS: update two documents in memory, then `saveDatabase` (the whole file rewritten; throttled saves coalesce). */
export function runLoki(t: Transfers, n: number, mode: PeerMode): Promise<Run> {
  return withTempDir('loki', async (dir) => {
    const file = join(dir, 'bank.db')
    const db = lokiDb(file)
    const accounts = db.addCollection<LokiAccount>('accounts', { unique: ['id'] })
    for (let i = 0; i < t.accounts; i++) accounts.insert({ id: accountId(i), balance: OPENING })
    await lokiSave(db)
    const byId = accounts.by.bind(accounts, 'id') as (id: string) => LokiAccount | undefined
    const run = await drive(n, mode, (i) => {
      const payer = byId(accountId(t.from[i]))!
      const payee = byId(accountId(t.to[i]))!
      if (payer.balance < t.amount[i]) throw new Error('insufficient funds')
      payer.balance -= t.amount[i]
      payee.balance += t.amount[i]
      accounts.update(payer)
      accounts.update(payee)
      return lokiSave(db)
    })
    const reread = lokiDb(file)
    await lokiLoad(reread)
    const stored = reread.getCollection<LokiAccount>('accounts')
    checkBalances(`lokijs ${mode}`, t, n, (i) => stored.by('id', accountId(i))?.balance)
    return run
  })
}

/** LokiJS ready after `n` transfers: it stores the state, so this loads the saved database of the balances after them. */
export function lokiOpen(t: Transfers, n: number): Promise<number> {
  return withTempDir('loki-load', async (dir) => {
    const file = join(dir, 'bank.db')
    const balances = expectedBalances(t, n)
    const db = lokiDb(file)
    const accounts = db.addCollection<LokiAccount>('accounts', { unique: ['id'] })
    for (let i = 0; i < t.accounts; i++) accounts.insert({ id: accountId(i), balance: balances[i] })
    await lokiSave(db)
    const loaded = lokiDb(file)
    const ms = await timeMs(() => lokiLoad(loaded))
    const stored = loaded.getCollection<LokiAccount>('accounts')
    checkBalances('lokijs load', t, n, (i) => stored.by('id', accountId(i))?.balance)
    return ms
  })
}
