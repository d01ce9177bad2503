// The benchmark suite: this library, its peers and the raw limits of the disk, side by side
// in one run, on one seeded bank workload (1,000 accounts, random transfers); every system's
// final balances are checked against a plain computation.
//
//   npm run bench                    full run (a few minutes)
//   npm run bench -- --quick         smaller counts (under a minute, for CI smoke)
//   npm run bench -- --json FILE     write the figures there (default bench/results.json)
//   npm run bench -- --only raw,sqlite   run some sections only (names below)
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { repeat, settle, median, type Run } from './suite/measure.js'
import { lokiOpen, lowdbLoad, nedbLoad, runLoki, runLowdb, runNedb } from './suite/peers.js'
import { prevalentOpenSnapshot, prevalentReplay, runPrevalent, txCost, writeBankJournal } from './suite/prevalent.js'
import { rawAppend, rawBatched, rawDurableSeq, rawDurableSeqInline, rawDurableSeqPreallocated, rawGroupCommit, rawReplay } from './suite/raw.js'
import { goals, table, type Results } from './suite/report.js'
import { withTempDir } from './suite/scratch.js'
import { runImmer } from './suite/immer.js'
import { runSqlite, sqliteOpen } from './suite/sqlite.js'
import { makeTransfers } from './suite/workload.js'

const SECTIONS = ['raw', 'prevalent', 'replay', 'txcost', 'sqlite', 'nedb', 'lowdb', 'lokijs', 'immer'] as const
type Section = (typeof SECTIONS)[number]

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), 'results.json') },
    only: { type: 'string' },
  },
})
const only = values.only?.split(',').map((s) => s.trim()) ?? [...SECTIONS]
for (const name of only) if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown section "${name}"; expected some of ${SECTIONS.join(', ')}`)
const runs = (section: Section): boolean => only.includes(section)

const quick = values.quick
/** How many transfers each kind of measurement runs, and how often (the median is kept; durable one-at-a-time runs vary most, so they repeat more). */
const N = quick
  ? { durableSeq: 300, flight: 10_000, fast: 10_000, replay: 100_000, sqliteFast: 5_000, peerSeq: 200, peerFlight: 1_000, immerFreeze: 2_000, txCost: 5_000, reps: 1, seqReps: 1 }
  : { durableSeq: 5_000, flight: 100_000, fast: 100_000, replay: 1_000_000, sqliteFast: 50_000, peerSeq: 2_000, peerFlight: 10_000, immerFreeze: 20_000, txCost: 50_000, reps: 3, seqReps: 5 }
const WIDTH = 256
/** Replay figures are for 1M transfers; a quick run replays fewer and scales linearly (labelled). */
const REPLAY_SCALE = 1_000_000 / N.replay

const results: Results = {}
const log = (line: string): void => void process.stderr.write(`${line}\n`)
const tps = (run: Run): string => `${Math.round(run.tps).toLocaleString('en-US')} tx/s`

/** Records a run's throughput (and latency percentiles for one-at-a-time runs) under `key` (`…_tps`). */
function record(key: string, run: Run, label: string): void {
  results[`${key}_tps`] = Math.round(run.tps)
  if (run.p99Us !== undefined) {
    results[`${key}_p50_us`] = Math.round(run.p50Us!)
    results[`${key}_p99_us`] = Math.round(run.p99Us)
  }
  log(`  ${label}: ${tps(run)}${run.p99Us !== undefined ? ` (p50 ${Math.round(run.p50Us!)} µs, p99 ${Math.round(run.p99Us)} µs)` : ''}`)
}

async function repeatMs(reps: number, measure: () => Promise<number> | number): Promise<number> {
  const times: number[] = []
  for (let r = 0; r < reps; r++) {
    settle()
    times.push(await measure())
  }
  return median(times)
}

const started = performance.now()
const bank = makeTransfers(Math.max(N.replay, N.flight, N.fast), 1_000)
log(`bench: ${quick ? 'quick' : 'full'} run, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()[0].toFixed(2)}`)

if (runs('raw')) {
  log('raw limits')
  record('raw_durable_seq', await repeat(N.seqReps, () => rawDurableSeq(bank, N.durableSeq)), 'append + fdatasync, one at a time')
  record('raw_inline_durable_seq', await repeat(N.seqReps, () => rawDurableSeqInline(bank, N.durableSeq)), 'append + fdatasyncSync (main thread), one at a time')
  record('raw_prealloc_durable_seq', await repeat(N.seqReps, () => rawDurableSeqPreallocated(bank, N.durableSeq)), 'overwrite in a preallocated file + fdatasync, one at a time')
  record('raw_durable_256', await repeat(N.reps, () => rawGroupCommit(bank, N.flight, WIDTH)), 'group commit, 256 in flight (promise pipeline)')
  record('raw_batched_256', await repeat(N.reps, () => rawBatched(bank, N.flight, WIDTH)), 'one write + fdatasyncSync per 256 lines (no promises)')
  record('raw_fast_seq', await repeat(N.reps, () => rawAppend(bank, N.fast)), 'append, no fsync')
}

if (runs('prevalent')) {
  log('prevalent')
  record('durable_seq', await repeat(N.seqReps, () => runPrevalent(bank, N.durableSeq, 'seq', {})), "durability 'always', one at a time")
  record('prevalent_inline_durable_seq', await repeat(N.seqReps, () => runPrevalent(bank, N.durableSeq, 'seq', { fsync: 'inline' })), "  … fsync 'inline'")
  record('prevalent_nofreeze_durable_seq', await repeat(N.seqReps, () => runPrevalent(bank, N.durableSeq, 'seq', { freeze: false })), '  … freeze: false')
  record('durable_256', await repeat(N.reps, () => runPrevalent(bank, N.flight, 'inFlight', {})), "durability 'always', 256 in flight")
  record('prevalent_inline_durable_256', await repeat(N.reps, () => runPrevalent(bank, N.flight, 'inFlight', { fsync: 'inline' })), "  … fsync 'inline'")
  record('prevalent_nofreeze_durable_256', await repeat(N.reps, () => runPrevalent(bank, N.flight, 'inFlight', { freeze: false })), '  … freeze: false')
  record('fast_seq', await repeat(N.reps, () => runPrevalent(bank, N.fast, 'seq', { durability: 'none' })), "durability 'none', one at a time")
  record('prevalent_nofreeze_fast_seq', await repeat(N.reps, () => runPrevalent(bank, N.fast, 'seq', { durability: 'none', freeze: false })), '  … freeze: false')
  record('prevalent_none_256', await repeat(N.reps, () => runPrevalent(bank, N.flight, 'inFlight', { durability: 'none' })), "durability 'none', 256 in flight")
}

if (runs('replay') || runs('raw')) {
  const scaled = REPLAY_SCALE === 1 ? '' : ` (${N.replay.toLocaleString('en-US')} entries, ×${REPLAY_SCALE} for 1M)`
  log(`replay of ${N.replay.toLocaleString('en-US')} transfers${scaled}`)
  await withTempDir('journal', async (dir) => {
    const file = writeBankJournal(dir, bank, N.replay)
    results.replay_entries = N.replay
    if (runs('raw')) {
      results.raw_replay_1m_ms = Math.round(REPLAY_SCALE * (await repeatMs(N.reps, () => rawReplay(file, bank, N.replay))))
      log(`  raw (readFileSync + JSON.parse per line + mutate): ${results.raw_replay_1m_ms} ms`)
    }
    if (runs('replay')) {
      results.replay_1m_ms = Math.round(REPLAY_SCALE * (await repeatMs(N.reps, () => prevalentReplay(dir, bank, N.replay))))
      log(`  prevalent, open until ready: ${results.replay_1m_ms} ms`)
      results.prevalent_immer_replay_1m_ms = Math.round(REPLAY_SCALE * (await repeatMs(1, () => prevalentReplay(dir, bank, N.replay, { replay: 'immer' }))))
      log(`  prevalent, replay: 'immer': ${results.prevalent_immer_replay_1m_ms} ms`)
      // The state is 1,000 accounts whatever the journal's length: not scaled in a quick run.
      results.open_snapshot_ms = Number((await repeatMs(N.reps, () => prevalentOpenSnapshot(dir, bank, N.replay))).toFixed(1))
      log(`  prevalent, open from a snapshot of that state: ${results.open_snapshot_ms} ms`)
    }
  })
}

if (runs('txcost')) {
  log("transaction cost (CPU µs per transfer, durability 'none', one at a time)")
  const small = makeTransfers(N.txCost, 1_000, 0xc0ffee)
  const large = makeTransfers(N.txCost, 1_000_000, 0xc0ffee)
  results.tx_cost_us_1k_accounts = Number((await repeatMs(N.reps, () => txCost(small, N.txCost))).toFixed(2))
  log(`  1,000 accounts: ${results.tx_cost_us_1k_accounts} µs`)
  results.tx_cost_us_1m_accounts = Number((await repeatMs(N.reps, () => txCost(large, N.txCost))).toFixed(2))
  log(`  1,000,000 accounts: ${results.tx_cost_us_1m_accounts} µs`)
}

if (runs('sqlite')) {
  log('better-sqlite3 (WAL)')
  record('sqlite_full_durable_seq', await repeat(N.seqReps, () => runSqlite(bank, N.durableSeq, 'FULL', 'seq')), 'FULL, one at a time')
  record('sqlite_full_durable_256', await repeat(N.reps, () => runSqlite(bank, N.durableSeq, 'FULL', 'inFlight', WIDTH)), 'FULL, 256 async callers (each transaction still commits alone)')
  record('sqlite_full_batched_256', await repeat(N.reps, () => runSqlite(bank, N.flight, 'FULL', 'batched', WIDTH)), 'FULL, app-batched: 256 transfers per transaction')
  record('sqlite_normal_fast_seq', await repeat(N.reps, () => runSqlite(bank, N.sqliteFast, 'NORMAL', 'seq')), 'NORMAL, one at a time')
  record('sqlite_off_fast_seq', await repeat(N.reps, () => runSqlite(bank, N.sqliteFast, 'OFF', 'seq')), 'OFF, one at a time')
  // SQLite's fastest setting is OFF; the issue's key set names it sqlite_full_fast_seq_tps too.
  results.sqlite_full_fast_seq_tps = results.sqlite_off_fast_seq_tps
  results.sqlite_full_replay_1m_ms = Number((await repeatMs(N.reps, () => sqliteOpen(bank, N.replay))).toFixed(2))
  log(`  open a database holding the state after the transfers: ${results.sqlite_full_replay_1m_ms} ms`)
}

if (runs('nedb')) {
  log('nedb')
  record('nedb_seq', await repeat(N.reps, () => runNedb(bank, N.peerSeq, 'seq')), 'one at a time')
  record('nedb_256', await repeat(N.reps, () => runNedb(bank, N.peerFlight, 'inFlight')), '256 in flight')
  results.nedb_replay_1m_ms = Math.round(REPLAY_SCALE * (await repeatMs(1, () => nedbLoad(bank, N.replay))))
  log(`  load its datafile after the transfers: ${results.nedb_replay_1m_ms} ms`)
}

// The peers that save their whole state to a file: the same three measurements each.
const stateFilePeers = [
  { name: 'lowdb', run: runLowdb, open: lowdbLoad, label: 'read the state file' },
  { name: 'lokijs', run: runLoki, open: lokiOpen, label: 'load the saved database' },
] as const
for (const peer of stateFilePeers) {
  if (!runs(peer.name)) continue
  log(peer.name)
  record(`${peer.name}_seq`, await repeat(N.reps, () => peer.run(bank, N.peerSeq, 'seq')), 'one at a time')
  record(`${peer.name}_256`, await repeat(N.reps, () => peer.run(bank, N.peerFlight, 'inFlight')), '256 in flight')
  const openMs = Number((await repeatMs(N.reps, () => peer.open(bank, N.replay))).toFixed(2))
  results[`${peer.name}_open_1m_ms`] = openMs
  log(`  ${peer.label}: ${openMs} ms`)
}

if (runs('immer')) {
  log('Immer produce, flat array of 1,000 accounts')
  record('immer_fast_seq', await repeat(N.reps, () => runImmer(bank, N.fast, false)), 'autoFreeze off')
  record('immer_autofreeze_fast_seq', await repeat(N.reps, () => runImmer(bank, N.immerFreeze, true)), 'autoFreeze on')
}

results.bench_quick = quick ? 1 : 0
results.bench_seconds = Math.round((performance.now() - started) / 1000)

const scaledNote = REPLAY_SCALE === 1 ? '' : ` (quick: replays ${N.replay.toLocaleString('en-US')} transfers, scaled ×${REPLAY_SCALE})`
console.log(`\nbank: 1,000 accounts, seeded random transfers; ratios (×) are to the raw limit of each column, measured in this run${scaledNote}; medians of ${N.reps} (durable one at a time: ${N.seqReps})`)
for (const line of table(results)) console.log(line)
console.log('\ntransaction cost (CPU µs per transfer, durability none, one at a time, Collection)')
console.log(`  1,000 accounts: ${results.tx_cost_us_1k_accounts ?? 'not run'}   1,000,000 accounts: ${results.tx_cost_us_1m_accounts ?? 'not run'}`)
console.log('\ngoals')
for (const line of goals(results)) console.log(line)
mkdirSync(dirname(values.json), { recursive: true })
writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`)
console.log(`\n${results.bench_seconds} s; figures written to ${relative(process.cwd(), values.json)}`)
