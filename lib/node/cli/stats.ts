import type { Command } from 'commander'
import { formatBytes } from './progress.js'
import { formatCount, plural } from './format.js'
import { locateJournal, scanFile } from './journal-dir.js'
import { write } from './output.js'

/** What `stats` counts. @internal */
interface Stats {
  file: string
  bytes: number
  entries: number
  firstSeq: number | null
  lastSeq: number | null
  firstTime: string | null
  lastTime: string | null
  damaged: number
  tornBytes: number
  transactions: Record<string, { entries: number; bytes: number }>
}

/** `prevalent stats DIR`: counts, size, per-transaction numbers, time span. @internal */
export function statsCommand(program: Command): void {
  program
    .command('stats')
    .description('count entries, bytes and entries per transaction; show the first and last time')
    .argument('<dir>', 'store directory (holding journal.ndjson)')
    .option('--json', 'print the numbers as one JSON object')
    .action(async (dir: string, options: { json?: boolean }) => {
      const stats = await collect(dir)
      await write(options.json ? JSON.stringify(stats) + '\n' : render(stats))
    })
}

async function collect(dir: string): Promise<Stats> {
  const journal = locateJournal(dir)
  const stats: Stats = { file: journal.file, bytes: journal.size, entries: 0, firstSeq: null, lastSeq: null, firstTime: null, lastTime: null, damaged: 0, tornBytes: 0, transactions: {} }
  let first = 0
  let last = 0
  for await (const items of scanFile(journal, 'stats')) {
    for (const item of items) {
      if (item.kind === 'damage') stats.damaged++
      if (item.kind === 'torn') stats.tornBytes = item.length
      if (item.kind !== 'entry') continue
      const { entry } = item
      stats.entries++
      if (stats.firstSeq === null) {
        stats.firstSeq = entry.seq
        first = entry.time
      }
      stats.lastSeq = entry.seq
      last = entry.time
      const tx = (stats.transactions[entry.name] ??= { entries: 0, bytes: 0 })
      tx.entries++
      tx.bytes += item.length
    }
  }
  if (stats.entries > 0) {
    stats.firstTime = new Date(first).toISOString()
    stats.lastTime = new Date(last).toISOString()
  }
  return stats
}

function render(s: Stats): string {
  const span = s.firstTime && s.lastTime ? ` (${formatSpan(Date.parse(s.lastTime) - Date.parse(s.firstTime))})` : ''
  const problems = [s.damaged > 0 ? plural(s.damaged, 'damaged line') : '', s.tornBytes > 0 ? `a torn tail of ${s.tornBytes} bytes` : '']
    .filter((p) => p !== '')
    .join(', ')
  const lines = [
    `journal   ${s.file}`,
    `size      ${s.bytes < 1024 ? `${s.bytes} bytes` : `${formatBytes(s.bytes)} (${formatCount(s.bytes)} bytes)`}`,
    `entries   ${formatCount(s.entries)}${s.entries > 0 ? ` (seq ${s.firstSeq} to ${s.lastSeq})` : ''}`,
    `first     ${s.firstTime ?? '-'}`,
    `last      ${s.lastTime ?? '-'}${span}`,
    `problems  ${problems || 'none'}${problems ? ' (run `prevalent verify` for details)' : ''}`,
    '',
  ]
  const rows = Object.entries(s.transactions).sort((a, b) => b[1].entries - a[1].entries || a[0].localeCompare(b[0]))
  const width = Math.max('transaction'.length, ...rows.map(([name]) => name.length))
  lines.push(`${'transaction'.padEnd(width)}  ${'entries'.padStart(10)}  ${'share'.padStart(6)}  ${'bytes'.padStart(12)}`)
  for (const [name, { entries, bytes }] of rows) {
    const share = `${((entries / s.entries) * 100).toFixed(1)}%`
    lines.push(`${name.padEnd(width)}  ${formatCount(entries).padStart(10)}  ${share.padStart(6)}  ${formatCount(bytes).padStart(12)}`)
  }
  return lines.join('\n') + '\n'
}

function formatSpan(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  const seconds = ms / 1000
  if (seconds < 120) return `${seconds.toFixed(1)} s`
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`
  return `${(seconds / 86400).toFixed(1)} days`
}
