// A bank service on a prevalent store: opens its directory (replaying the journal), opens
// accounts if there are none, runs transfers from many concurrent callers while a subscriber
// checks that money is never created or lost, takes a snapshot while more transfers go on,
// then restarts (from the snapshot and the journal after it, printing progress) and shows the
// state is back.
//
//   npm run demo:bank -- --transfers 50000 --concurrency 256 --durability always
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual, parseArgs } from 'node:util'
import { openStore, type Durability, type OpenProgress } from '../../lib/index.js'
import { bank, totalBalance, TransferDeclined } from './definition.js'

const usage = `usage: npm run demo:bank -- [--dir DIR] [--transfers N] [--concurrency N] [--durability always|interval|none] [--accounts N]
  --dir          store directory (default: a fresh temporary one, removed at the end)
  --transfers    transfers to attempt (default 20000)
  --concurrency  concurrent callers (default 64)
  --durability   when a transfer is acknowledged (default always: after its fsync)
  --accounts     accounts to open in a new store (default 1000, 1000 each)`

const refuse = (problem: string): never => {
  console.error(`${problem}\n${usage}`)
  process.exit(2)
}

function readFlags() {
  try {
    return parseArgs({
      options: {
        dir: { type: 'string' },
        transfers: { type: 'string', default: '20000' },
        concurrency: { type: 'string', default: '64' },
        durability: { type: 'string', default: 'always' },
        accounts: { type: 'string', default: '1000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values
  } catch (error) {
    return refuse((error as Error).message)
  }
}

const values = readFlags()
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const count = (flag: 'transfers' | 'concurrency' | 'accounts', min: number): number => {
  const n = Number(values[flag])
  if (!Number.isSafeInteger(n) || n < min) refuse(`--${flag} expects a whole number of at least ${min}, got "${values[flag]}"`)
  return n
}
const transfers = count('transfers', 0)
const concurrency = count('concurrency', 1)
const accounts = count('accounts', 2)
const durability = values.durability as Durability
if (!['always', 'interval', 'none'].includes(durability)) refuse(`--durability expects always, interval or none, got "${durability}"`)

const temporary = values.dir === undefined
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'prevalent-bank-'))
const seconds = (since: number): number => (performance.now() - since) / 1000

try {
  let started = performance.now()
  const store = await openStore(bank, { dir, durability })
  console.log(`opened ${dir} in ${seconds(started).toFixed(2)} s: seq ${store.seq}, ${store.state.accounts.size} accounts, durability ${durability}`)

  if (store.state.accounts.size === 0) {
    const opened = await Promise.all(Array.from({ length: accounts }, (_, i) => store.dispatch('openAccount', `owner ${i + 1}`, 1000)))
    console.log(`opened ${opened.length} accounts (${opened[0].result} … ${opened[opened.length - 1].result}), 1000 each`)
  }
  const ids = [...store.state.accounts.keys()]
  const expected = totalBalance(store.state.accounts)

  // The audit: every commit the subscriber sees must hold exactly the money there was.
  let emissions = 0
  let broken: string | null = null
  const audit = store
    .select((state) => state.accounts)
    .subscribe((accounts) => {
      emissions++
      const total = totalBalance(accounts)
      if (total !== expected && broken === null) {
        broken = `emission ${emissions} (seq ${store.seq}) shows a total of ${total}, expected ${expected}`
        console.error(`AUDIT FAILED: ${broken}`)
      }
    })

  let issued = 0
  let committed = 0
  let declined = 0
  const pick = (): string => ids[Math.floor(Math.random() * ids.length)]
  const caller = async (): Promise<void> => {
    while (issued < transfers) {
      issued++
      const from = pick()
      let to = pick()
      while (to === from) to = pick()
      try {
        await store.dispatch('transfer', from, to, 1 + Math.floor(Math.random() * 200))
        committed++
      } catch (error) {
        if (!(error instanceof TransferDeclined)) throw error
        declined++
      }
    }
  }
  started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, caller))
  const elapsed = seconds(started)
  audit.unsubscribe()
  if (broken !== null) throw new Error(`the bank created or lost money: ${broken}`)
  console.log(`${transfers} transfers from ${concurrency} callers: ${committed} committed, ${declined} declined; ${emissions} emissions (one per batch, ~${(committed / Math.max(emissions - 1, 1)).toFixed(1)} transfers each), total always ${expected}`)

  // A snapshot: the state is captured at once and written while transfers go on; the journal
  // continues in a new segment, so the next start replays only what came after it.
  started = performance.now()
  const more = Math.min(transfers, 2_000)
  issued = transfers - more
  const [snapshot] = await Promise.all([store.snapshot(), ...Array.from({ length: concurrency }, caller)])
  console.log(`snapshot at seq ${snapshot.seq}: ${snapshot.bytes} bytes in ${seconds(started).toFixed(2)} s, written while ${more} more transfers went on (now seq ${store.seq})`)

  // Restart: the newest snapshot plus the journal after it give the same state.
  const before = { seq: store.seq, state: store.state }
  await store.close()
  started = performance.now()
  let phase = ''
  const report = (p: OpenProgress): void => {
    const done = p.totalBytes ? ` ${Math.round((100 * p.bytes) / Math.max(p.totalBytes, 1))}% of ${p.totalBytes} bytes` : ` ${p.bytes} bytes`
    if (p.phase !== phase || p.bytes === p.totalBytes) console.log(`  opening: ${p.phase} at seq ${p.seq},${done}`)
    phase = p.phase
  }
  const reopened = await openStore(bank, { dir, durability, onProgress: report })
  const replayed = seconds(started)
  try {
    const same = reopened.seq === before.seq && isDeepStrictEqual(reopened.state, before.state)
    const total = totalBalance(reopened.state.accounts)
    console.log(`restarted in ${replayed.toFixed(2)} s from the snapshot at seq ${snapshot.seq} and ${reopened.metrics().replay.entries} journal entries after it; seq ${reopened.seq} (was ${before.seq}), total ${total} (was ${expected}), state ${same ? 'identical' : 'DIFFERENT'}`)
    if (!same || total !== expected) throw new Error('the state after restart differs from the state before it')
  } finally {
    await reopened.close()
  }
  console.log(`throughput: ${Math.round(transfers / elapsed)} tx/s (${transfers} transfers in ${elapsed.toFixed(2)} s, concurrency ${concurrency}, durability ${durability})`)
} finally {
  if (temporary) rmSync(dir, { recursive: true, force: true })
}
