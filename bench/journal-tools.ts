// Measures `prevalent verify` and `prevalent replay` on a journal of N entries (default 1,000,000).
//   npx tsx bench/journal-tools.ts [entries]
// Runs the built CLI (npm run build first) as a user would, and reports entries per second.
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeArgs } from '../lib/core/codec.js'
import { encodeEntry } from '../lib/core/journal-entry.js'

const entries = Number(process.argv[2] ?? 1_000_000)
const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'dist/cli.js')
const definition = join(root, 'demo/seed/definition.ts')

/** Writes a seed journal of `n` entries straight to disk: 70% add, 15% inc, 10% swap, 5% setS (with a Set). */
function writeJournal(dir: string, n: number): void {
  const fd = openSync(join(dir, 'journal.ndjson'), 'w')
  const start = Date.parse('2026-11-24T18:00:00.000Z')
  let text = ''
  for (let seq = 1; seq <= n; seq++) {
    const r = seq % 20
    const [name, args] = r < 14 ? ['add', [seq % 100, -(seq % 7)]] : r < 17 ? ['inc', []] : r < 19 ? ['swap', []] : ['setS', [{ at: seq, tags: new Set(['a', `t${seq % 10}`]) }]]
    text += encodeEntry(seq, new Date(start + seq).toISOString(), name as string, encodeArgs(name as string, args as unknown[]).encoded)
    if (text.length > 1 << 20) {
      writeSync(fd, text)
      text = ''
    }
  }
  writeSync(fd, text)
  closeSync(fd)
}

function time(args: string[]): number {
  const started = performance.now()
  execFileSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 26 })
  return performance.now() - started
}

const dir = mkdtempSync(join(tmpdir(), 'prevalent-bench-tools-'))
try {
  writeJournal(dir, entries)
  const bytes = statSync(join(dir, 'journal.ndjson')).size
  console.log(`journal: ${entries.toLocaleString('en-US')} entries, ${(bytes / 1048576).toFixed(1)} MiB; load average ${loadavg()[0].toFixed(1)} on this machine`)
  for (const [label, args] of [
    ['verify', ['verify', dir]],
    ['replay', ['replay', dir, '--definition', definition, '--until', String(entries)]],
    ['stats', ['stats', dir]],
  ] as const) {
    const runs = [time([...args]), time([...args])]
    const best = Math.min(...runs)
    console.log(`${label.padEnd(7)} ${(best / 1000).toFixed(2)} s (best of 2, process start included)  ${Math.round(entries / (best / 1000)).toLocaleString('en-US')} entries/s`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
