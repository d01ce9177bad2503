// The table of one run (each figure beside its ratio to the raw limit of its column), the
// goals with PASS/MISS, and the flat JSON of every figure.

/** Every figure of a run by key (null: not measured, e.g. no snapshots yet). */
export type Results = Record<string, number | null>

type Column = 'seq' | 'flight' | 'fast' | 'ready'

/** One line of the table: which keys fill which column. */
interface Row {
  readonly label: string
  readonly seq?: string
  readonly p50?: string
  readonly p99?: string
  readonly flight?: string
  readonly fast?: string
  readonly ready?: string
}

/** The raw limit each column's ratios are taken against. */
const LIMITS: Record<Column, string> = {
  seq: 'raw_durable_seq_tps',
  flight: 'raw_durable_256_tps',
  fast: 'raw_fast_seq_tps',
  ready: 'raw_replay_1m_ms',
}

const ROWS: Array<Row | string> = [
  'raw limits (no library; the first row is the 1.00× of each column)',
  { label: 'fdatasync per tx | group commit | no fsync | parse+mutate', seq: 'raw_durable_seq_tps', p50: 'raw_durable_seq_p50_us', p99: 'raw_durable_seq_p99_us', flight: 'raw_durable_256_tps', fast: 'raw_fast_seq_tps', ready: 'raw_replay_1m_ms' },
  { label: 'fdatasyncSync inline | 1 write+fsync per 256, no promises', seq: 'raw_inline_durable_seq_tps', p50: 'raw_inline_durable_seq_p50_us', p99: 'raw_inline_durable_seq_p99_us', flight: 'raw_batched_256_tps' },
  { label: 'overwrite in a preallocated file + fdatasync (size unchanged)', seq: 'raw_prealloc_durable_seq_tps', p50: 'raw_prealloc_durable_seq_p50_us', p99: 'raw_prealloc_durable_seq_p99_us' },
  'prevalent, accounts in a Collection',
  { label: "defaults (fsync 'threadpool', freeze on, replay 'plain')", seq: 'durable_seq_tps', p50: 'durable_seq_p50_us', p99: 'durable_seq_p99_us', flight: 'durable_256_tps', fast: 'fast_seq_tps', ready: 'replay_1m_ms' },
  { label: "fsync: 'inline'", seq: 'prevalent_inline_durable_seq_tps', p50: 'prevalent_inline_durable_seq_p50_us', p99: 'prevalent_inline_durable_seq_p99_us', flight: 'prevalent_inline_durable_256_tps' },
  { label: 'freeze: false', seq: 'prevalent_nofreeze_durable_seq_tps', p50: 'prevalent_nofreeze_durable_seq_p50_us', p99: 'prevalent_nofreeze_durable_seq_p99_us', flight: 'prevalent_nofreeze_durable_256_tps', fast: 'prevalent_nofreeze_fast_seq_tps' },
  { label: "durability 'none', 256 in flight", fast: 'prevalent_none_256_tps' },
  { label: "replay: 'immer'", ready: 'prevalent_immer_replay_1m_ms' },
  { label: 'open from a snapshot of that state (no journal tail)', ready: 'open_snapshot_ms' },
  'better-sqlite3, WAL (a transfer: one transaction, 2 UPDATEs)',
  { label: 'FULL (256 in flight: async callers, 1 tx each) | open', seq: 'sqlite_full_durable_seq_tps', p50: 'sqlite_full_durable_seq_p50_us', p99: 'sqlite_full_durable_seq_p99_us', flight: 'sqlite_full_durable_256_tps', ready: 'sqlite_full_replay_1m_ms' },
  { label: 'FULL, app-batched: 256 transfers per transaction', flight: 'sqlite_full_batched_256_tps' },
  { label: 'NORMAL (not durable on power loss)', fast: 'sqlite_normal_fast_seq_tps' },
  { label: 'OFF', fast: 'sqlite_off_fast_seq_tps' },
  'peers that never fsync (so one at a time is also their fastest)',
  { label: 'nedb: 2 updateAsync per transfer | load datafile', seq: 'nedb_seq_tps', p50: 'nedb_seq_p50_us', p99: 'nedb_seq_p99_us', flight: 'nedb_256_tps', ready: 'nedb_replay_1m_ms' },
  { label: 'lowdb 7: mutate + write() | read the JSON file', seq: 'lowdb_seq_tps', p50: 'lowdb_seq_p50_us', p99: 'lowdb_seq_p99_us', flight: 'lowdb_256_tps', ready: 'lowdb_open_1m_ms' },
  { label: 'lokijs: update + saveDatabase | loadDatabase', seq: 'lokijs_seq_tps', p50: 'lokijs_seq_p50_us', p99: 'lokijs_seq_p99_us', flight: 'lokijs_256_tps', ready: 'lokijs_open_1m_ms' },
  'Immer 11 produce alone, flat array of 1,000 accounts (no journal)',
  { label: 'autoFreeze off', fast: 'immer_fast_seq_tps' },
  { label: 'autoFreeze on', fast: 'immer_autofreeze_fast_seq_tps' },
]

/** A goal: `key` compared with `factor` × `against`. `atLeast`: higher is better (tps); otherwise lower (ms, µs). */
interface Goal {
  readonly label: string
  readonly key: string
  readonly against: string
  readonly factor: number
  readonly atLeast: boolean
}

/** The goals of the issue, each as a ratio of two figures of the same run. */
export const GOALS: readonly Goal[] = [
  { label: 'durable, one at a time ≥ 1.0× raw append+fdatasync', key: 'durable_seq_tps', against: 'raw_durable_seq_tps', factor: 1, atLeast: true },
  { label: 'durable, one at a time ≥ 1.0× sqlite FULL', key: 'durable_seq_tps', against: 'sqlite_full_durable_seq_tps', factor: 1, atLeast: true },
  { label: 'durable, 256 in flight ≥ 0.6× raw promise-pipeline group commit', key: 'durable_256_tps', against: 'raw_durable_256_tps', factor: 0.6, atLeast: true },
  { label: 'durable, 256 in flight ≥ 18× sqlite FULL', key: 'durable_256_tps', against: 'sqlite_full_durable_256_tps', factor: 18, atLeast: true },
  { label: 'fastest not durable ≥ 0.7× Immer produce, autoFreeze off', key: 'fast_seq_tps', against: 'immer_fast_seq_tps', factor: 0.7, atLeast: true },
  { label: 'fastest not durable ≥ 2× sqlite OFF', key: 'fast_seq_tps', against: 'sqlite_off_fast_seq_tps', factor: 2, atLeast: true },
  { label: 'replay of 1M transfers ≤ 1.3× raw replay', key: 'replay_1m_ms', against: 'raw_replay_1m_ms', factor: 1.3, atLeast: false },
  { label: 'replay of 1M transfers ≥ 4× faster than nedb', key: 'replay_1m_ms', against: 'nedb_replay_1m_ms', factor: 1 / 4, atLeast: false },
  { label: 'tx_cost_us_1m_accounts ≤ 2× tx_cost_us_1k_accounts', key: 'tx_cost_us_1m_accounts', against: 'tx_cost_us_1k_accounts', factor: 2, atLeast: false },
]

function rate(tps: number): string {
  if (tps >= 1e6) return `${(tps / 1e6).toFixed(2)}M/s`
  if (tps >= 1e3) return `${(tps / 1e3).toFixed(tps >= 1e5 ? 0 : 1)}k/s`
  return `${Math.round(tps)}/s`
}

function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`
}

function ratio(x: number): string {
  return x >= 10 ? `${Math.round(x)}×` : x >= 0.1 ? `${x.toFixed(2)}×` : x >= 0.001 ? `${x.toFixed(3)}×` : '<0.001×'
}

function cell(results: Results, column: Column, key: string | undefined): string {
  if (key === undefined) return ''
  const value = results[key]
  if (value === undefined) return 'not run'
  if (value === null) return 'n/a'
  const limit = results[LIMITS[column]]
  const text = column === 'ready' ? duration(value) : rate(value)
  return typeof limit === 'number' && limit > 0 ? `${text} ${ratio(value / limit)}` : text
}

function latency(results: Results, row: Row): string {
  const p50 = row.p50 === undefined ? undefined : results[row.p50]
  const p99 = row.p99 === undefined ? undefined : results[row.p99]
  return typeof p50 === 'number' && typeof p99 === 'number' ? `${Math.round(p50)} / ${Math.round(p99)}` : ''
}

/** The table of a run as text lines: ratios are to the raw limit of each column, measured in the same run. */
export function table(results: Results): string[] {
  const header = ['', 'durable, one at a time', 'p50 / p99 µs', 'durable, 256 in flight', 'fastest, not durable', 'ready after 1M tx']
  const lines: string[][] = []
  for (const row of ROWS) {
    if (typeof row === 'string') lines.push([row])
    else lines.push([`  ${row.label}`, cell(results, 'seq', row.seq), latency(results, row), cell(results, 'flight', row.flight), cell(results, 'fast', row.fast), cell(results, 'ready', row.ready)])
  }
  const widths = header.map((h, c) => Math.max(h.length, ...lines.filter((l) => l.length > 1).map((l) => (c === 0 ? 0 : l[c].length))))
  widths[0] = 60
  const wrap = (label: string): string[] => {
    const parts: string[] = []
    let rest = label
    while (rest.length > widths[0]) {
      let cut = rest.lastIndexOf(' ', widths[0])
      if (cut <= 2) cut = widths[0]
      parts.push(rest.slice(0, cut))
      rest = `    ${rest.slice(cut + 1)}`
    }
    parts.push(rest)
    return parts
  }
  const format = (l: string[]): string[] => {
    if (l.length === 1) return [l[0]]
    const labels = wrap(l[0])
    const first = [labels[0].padEnd(widths[0]), ...l.slice(1).map((c, i) => c.padStart(widths[i + 1]))].join('  ')
    return [first.trimEnd(), ...labels.slice(1)]
  }
  return [format(header)[0], ...lines.flatMap(format)]
}

/** The goal lines: each ratio, its threshold and PASS or MISS (or "not measured"). */
export function goals(results: Results): string[] {
  return GOALS.map((goal) => {
    const value = results[goal.key]
    const against = results[goal.against]
    if (typeof value !== 'number' || typeof against !== 'number') return `  ----  ${goal.label}: not measured`
    const pass = goal.atLeast ? value >= goal.factor * against : value <= goal.factor * against
    // Show the ratio in the goal's own terms: "n× the baseline" for throughput, "n× faster" or "n× the time" for times.
    const shown = goal.factor < 1 && !goal.atLeast ? `${ratio(against / value)} faster` : `${ratio(value / against)}`
    return `  ${pass ? 'PASS' : 'MISS'}  ${goal.label}: ${shown}`
  })
}
