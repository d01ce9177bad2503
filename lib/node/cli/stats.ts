import type { Command } from 'commander'
import { formatBytes } from './progress.js'
import { escapeControl, formatCount, plural } from './format.js'
import { tally, type Tally } from './examine.js'
import { DIR_ARGUMENT, locateJournal, scanSegments } from './journal-dir.js'
import { write } from './output.js'

/** What `stats` counts. @internal */
interface Stats extends Tally {
  dir: string
  bytes: number
  firstTime: string | null
  lastTime: string | null
  damaged: number
  tornBytes: number
  missing: number
  snapshots: Array<{ file: string; seq: number; bytes: number }>
  transactions: Record<string, { entries: number; bytes: number }>
}

/** `prevalent stats DIR`: counts, size, per-transaction numbers, time span, segments and snapshots. @internal */
export function statsCommand(program: Command): void {
  program
    .command('stats')
    .description('count entries, bytes and entries per transaction; show the first and last time, the journal segments and the snapshots')
    .argument('<dir>', DIR_ARGUMENT)
    .option('--json', 'print the numbers as one JSON object')
    .action(async (dir: string, options: { json?: boolean }) => {
      const stats = await collect(dir)
      await write(options.json ? JSON.stringify(stats) + '\n' : render(stats))
    })
}

async function collect(dir: string): Promise<Stats> {
  const journal = await locateJournal(dir)
  const snapshots = journal.snapshots.map(({ file, seq, size }) => ({ file, seq, bytes: size }))
  // Keyed by any name a journal holds (`constructor`, `__proto__`): no prototype to collide with.
  const transactions = Object.create(null) as Stats['transactions']
  const stats: Stats = { dir: journal.dir, bytes: journal.size, segments: [], snapshots, entries: 0, firstSeq: null, lastSeq: null, firstTime: null, lastTime: null, damaged: 0, tornBytes: 0, missing: 0, transactions }
  let first: number | null = null
  let last = 0
  for await (const run of scanSegments(journal, 'stats')) {
    tally(stats, run)
    for (const item of run.items) {
      if (item.kind === 'damage') stats.damaged++
      if (item.kind === 'torn') stats.tornBytes += item.length
      if (item.kind === 'gap' && item.previous !== null) stats.missing += item.to - item.from + 1
      if (item.kind !== 'entry') continue
      const { entry } = item
      first ??= entry.time
      last = entry.time
      const tx = (stats.transactions[entry.name] ??= { entries: 0, bytes: 0 })
      tx.entries++
      tx.bytes += item.length
    }
  }
  if (first !== null) {
    stats.firstTime = new Date(first).toISOString()
    stats.lastTime = new Date(last).toISOString()
  }
  return stats
}

function render(s: Stats): string {
  const span = s.firstTime && s.lastTime ? ` (${formatSpan(Date.parse(s.lastTime) - Date.parse(s.firstTime))})` : ''
  const problems = [s.damaged > 0 ? plural(s.damaged, 'damaged line') : '', s.tornBytes > 0 ? `a torn tail of ${s.tornBytes} bytes` : '', s.missing > 0 ? `${plural(s.missing, 'missing entry', 'missing entries')} between segments` : '']
    .filter((p) => p !== '')
    .join(', ')
  const snapshotBytes = s.snapshots.reduce((sum, snapshot) => sum + snapshot.bytes, 0)
  const lines = [
    `store     ${escapeControl(s.dir)}`,
    `journal   ${s.bytes < 1024 ? `${s.bytes} bytes` : `${formatBytes(s.bytes)} (${formatCount(s.bytes)} bytes)`} in ${plural(s.segments.length, 'segment')}`,
    `snapshots ${s.snapshots.length === 0 ? 'none' : `${s.snapshots.length} (seq ${s.snapshots.map((snapshot) => snapshot.seq).join(', ')}), ${formatBytes(snapshotBytes)}`}`,
    `entries   ${formatCount(s.entries)}${s.entries > 0 ? ` (seq ${s.firstSeq} to ${s.lastSeq})` : ''}`,
    `first     ${s.firstTime ?? '-'}`,
    `last      ${s.lastTime ?? '-'}${span}`,
    `problems  ${problems || 'none'}${problems ? ' (run `prevalent verify` for details)' : ''}`,
    '',
  ]
  const rows = Object.entries(s.transactions).sort((a, b) => b[1].entries - a[1].entries || a[0].localeCompare(b[0]))
  lines.push(...table(['transaction', 'entries', 'share', 'bytes'], rows.map(([name, { entries, bytes }]) => [escapeControl(name), formatCount(entries), `${((entries / s.entries) * 100).toFixed(1)}%`, formatCount(bytes)])))
  if (s.segments.length > 1 || s.snapshots.length > 0) {
    lines.push('')
    const seqs = (from: number | null, to: number | null): string => (from === null ? '-' : from === to ? `${from}` : `${from} to ${to}`)
    const files = [
      ...s.segments.map((segment) => [segment.file, formatCount(segment.entries), seqs(segment.firstEntry, segment.lastEntry), formatCount(segment.bytes)]),
      ...s.snapshots.map((snapshot) => [snapshot.file, 'snapshot', `${snapshot.seq}`, formatCount(snapshot.bytes)]),
    ]
    lines.push(...table(['file', 'entries', 'seq', 'bytes'], files))
  }
  return lines.join('\n') + '\n'
}

/** Rows under a header: the first column left-aligned, the others right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(Math.max(widths[i], 8)))).join('  ')
  return [header, ...rows].map(line)
}

function formatSpan(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  const seconds = ms / 1000
  if (seconds < 120) return `${seconds.toFixed(1)} s`
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`
  return `${(seconds / 86400).toFixed(1)} days`
}
