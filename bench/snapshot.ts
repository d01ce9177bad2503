// Snapshots at scale: a bank of 1M accounts (a Collection) after 1M transfers. Measures the
// snapshot's write time and size, the longest gap between acknowledgements of a steady stream
// of dispatches while it is written (against the same stream without one), and the open time
// from the snapshot plus a 10k-entry tail against the open from the whole journal.
//
//   npm run bench:snapshot -- [--accounts 1000000] [--transfers 1000000] [--tail 10000] [--note-bytes 0] [--json FILE]
//
// --note-bytes gives each account a note of that many bytes: 1000 makes a snapshot over 1 GB.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { PerformanceObserver } from 'node:perf_hooks'
import { join } from 'node:path'
import { Collection, defineStore, openStore } from '../lib/index.js'
import { numberArg } from './args.js'

const ACCOUNTS = numberArg('accounts', 1_000_000)
const TRANSFERS = numberArg('transfers', 1_000_000)
const TAIL = numberArg('tail', 10_000)
const NOTE = numberArg('note-bytes', 0)
const jsonAt = process.argv.indexOf('--json')
const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined

interface Account {
  readonly balance: number
  readonly note?: string
}

const bank = defineStore({
  refs: { accounts: new Collection<Account>() },
  transactions: {
    setup(state, count: number, balance: number, noteBytes: number) {
      const note = noteBytes > 0 ? 'n'.repeat(noteBytes) : undefined
      for (let i = 0; i < count; i++) state.accounts.set(`a${i}`, note === undefined ? { balance } : { balance, note: `${i}:${note}` })
    },
    transfer(state, from: string, to: string, amount: number) {
      const a = state.accounts.get(from)!
      const b = state.accounts.get(to)!
      if (a.balance < amount || from === to) return
      a.balance -= amount
      b.balance += amount
    },
  },
})

let x = 20261124
const random = (): number => {
  x ^= x << 13
  x ^= x >>> 17
  x ^= x << 5
  return (x >>> 0) / 2 ** 32
}
const pick = (): string => `a${Math.floor(random() * ACCOUNTS)}`
const ms = (since: number): number => Math.round(performance.now() - since)
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** Runs `count` transfers from 256 callers. */
async function transfers(store: Awaited<ReturnType<typeof openStore<typeof bank.refs, typeof bank.transactions>>>, count: number): Promise<void> {
  let issued = 0
  const caller = async (): Promise<void> => {
    while (issued < count) {
      issued++
      await store.dispatch('transfer', pick(), pick(), 1 + Math.floor(random() * 50))
    }
  }
  await Promise.all(Array.from({ length: 256 }, caller))
}

// The longest garbage-collection pause in a window, to tell GC stalls from the snapshot's own work.
let longestGc = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration)
}).observe({ entryTypes: ['gc'] })

/** The longest gap between acknowledgements of 16 callers dispatching one transfer after another, until `until` settles. */
async function ackGaps(store: Awaited<ReturnType<typeof openStore<typeof bank.refs, typeof bank.transactions>>>, until: Promise<unknown>): Promise<{ maxGapMs: number; acks: number; longestGcMs: number }> {
  longestGc = 0
  let done = false
  void until.finally(() => (done = true))
  let last = performance.now()
  let maxGap = 0
  let acks = 0
  const caller = async (): Promise<void> => {
    while (!done) {
      await store.dispatch('transfer', pick(), pick(), 1)
      const now = performance.now()
      maxGap = Math.max(maxGap, now - last)
      last = now
      acks++
    }
  }
  await Promise.all(Array.from({ length: 16 }, caller))
  return { maxGapMs: Math.round(maxGap * 10) / 10, acks, longestGcMs: Math.round(longestGc * 10) / 10 }
}

const root = mkdtempSync(join(tmpdir(), 'prevalent-bench-snapshot-'))
const dir = join(root, 'store')
try {
  console.log(`snapshot benchmark: ${ACCOUNTS.toLocaleString('en')} accounts${NOTE ? ` with ${NOTE}-byte notes` : ''}, ${TRANSFERS.toLocaleString('en')} transfers, ${TAIL.toLocaleString('en')}-entry tail; Node ${process.version}`)
  let started = performance.now()
  const store = await openStore(bank, { dir, durability: 'none', snapshots: false })
  await store.dispatch('setup', ACCOUNTS, 1_000, NOTE)
  await transfers(store, TRANSFERS)
  console.log(`built: seq ${store.seq} in ${ms(started)} ms`)

  // Snapshot alone (nothing else running), then again under a steady stream of durable dispatches.
  started = performance.now()
  const first = await store.snapshot()
  const writeMs = ms(started)
  console.log(`snapshot write: ${writeMs} ms, ${mb(first.bytes ?? 0)} (${first.bytes} bytes) at seq ${first.seq}`)
  await store.close()

  const live = await openStore(bank, { dir, durability: 'always', snapshots: false })
  const quiet = await ackGaps(live, new Promise((resolve) => setTimeout(resolve, 3_000)))
  started = performance.now()
  const during = await ackGaps(live, live.snapshot())
  const busyWriteMs = ms(started)
  console.log(`ack gaps, 16 callers, durability always: longest ${quiet.maxGapMs} ms without a snapshot (3 s, ${quiet.acks} acks, longest GC pause ${quiet.longestGcMs} ms); longest ${during.maxGapMs} ms while a snapshot was written (${busyWriteMs} ms, ${during.acks} acks, longest GC pause ${during.longestGcMs} ms)`)

  await transfers(live, TAIL)
  const expectedSeq = live.seq
  const expectedState = live.state
  await live.close()
  const snapshots = readdirSync(dir).filter((name) => name.startsWith('snapshot-')).sort()
  const newest = snapshots[snapshots.length - 1]
  const tail = expectedSeq - Number(newest.slice('snapshot-'.length, -'.ndjson'.length))

  started = performance.now()
  const fromSnapshot = await openStore(bank, { dir, snapshots: false })
  const openSnapshotMs = ms(started)
  const same = fromSnapshot.seq === expectedSeq && fromSnapshot.state.accounts.get('a1')?.balance === expectedState.accounts.get('a1')?.balance
  await fromSnapshot.close()
  console.log(`open from snapshot + ${tail}-entry tail: ${openSnapshotMs} ms (seq ${expectedSeq}${same ? '' : ', STATE DIFFERS'})`)

  // The same directory without its snapshots: the whole journal replays.
  const aside = join(root, 'aside')
  mkdirSync(aside)
  for (const name of snapshots) renameSync(join(dir, name), join(aside, name))
  started = performance.now()
  const fromJournal = await openStore(bank, { dir, snapshots: false })
  const openJournalMs = ms(started)
  const sameJournal = fromJournal.seq === expectedSeq && fromJournal.state.accounts.get('a1')?.balance === expectedState.accounts.get('a1')?.balance
  await fromJournal.close()
  console.log(`open from the whole journal (${expectedSeq} entries): ${openJournalMs} ms${sameJournal ? '' : ', STATE DIFFERS'}; snapshot open is ${(openJournalMs / openSnapshotMs).toFixed(1)}x faster`)
  console.log(`peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`)
  if (!same || !sameJournal) process.exitCode = 1
  if (jsonFile) {
    const figures = { accounts: ACCOUNTS, transfers: TRANSFERS, note_bytes: NOTE, snapshot_write_ms: writeMs, snapshot_bytes: first.bytes, ack_gap_quiet_ms: quiet.maxGapMs, ack_gap_snapshot_ms: during.maxGapMs, gc_pause_quiet_ms: quiet.longestGcMs, gc_pause_snapshot_ms: during.longestGcMs, snapshot_write_busy_ms: busyWriteMs, open_snapshot_ms: openSnapshotMs, open_snapshot_tail_entries: tail, open_journal_ms: openJournalMs, open_journal_entries: expectedSeq }
    writeFileSync(jsonFile, `${JSON.stringify(figures, null, 2)}\n`)
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}
