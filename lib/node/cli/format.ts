import { inspect } from 'node:util'
import { InvalidArgumentError } from 'commander'
import type { JournalEntry } from '../../core/journal-entry.js'
import type { ScanItem } from '../../core/journal-scan.js'

/** A value as a person reads it: Map, Set, Date and BigInt spelled out, on one line. @internal */
export function formatValue(value: unknown, colors = false): string {
  return inspect(value, { depth: null, breakLength: Infinity, compact: true, colors, maxArrayLength: 20, maxStringLength: 200 })
}

/** `add(1, 2)`: the transaction as a call. @internal */
export function formatCall(entry: JournalEntry, colors = false): string {
  return `${entry.name}(${entry.args.map((a) => formatValue(a, colors)).join(', ')})`
}

/** `     3  2026-11-24T20:12:30.323Z  swap()`: one entry as a readable line (with its idempotency key, if any). @internal */
export function formatEntry(entry: JournalEntry, colors = false): string {
  const key = entry.key === undefined ? '' : `  key ${JSON.stringify(entry.key)}`
  return `${String(entry.seq).padStart(7)}  ${new Date(entry.time).toISOString()}  ${formatCall(entry, colors)}${key}`
}

/** A damaged line or torn tail as a readable line, after `file` if given (entries use {@link formatEntry}). @internal */
export function formatProblem(file: string, item: ScanItem): string {
  const where = `${file === '' ? '' : `${file} `}at byte ${item.offset}`
  if (item.kind === 'damage') return `${where} (seq ${item.seq}): ${item.reason}`
  if (item.kind === 'torn') {
    const what = item.entry ? `a whole entry (seq ${item.entry.seq}) without its line break` : `${item.length} bytes without a line break`
    return `${where}: torn last entry, ${what}, left by a crash mid-append (never acknowledged)`
  }
  return `${where} (seq ${item.entry.seq}): ok`
}

/** `plural(1, 'byte')` → `1 byte`, `plural(1500, 'byte')` → `1,500 bytes`. @internal */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`
}

/** `1234567` → `1,234,567`. @internal */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** Parses a sequence number option (an integer ≥ 0). @internal */
export function parseSeq(text: string): number {
  const seq = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seq)) throw new InvalidArgumentError(`expected a sequence number (an integer ≥ 0), got "${text}"`)
  return seq
}

/** Parses a time option (ISO 8601, e.g. 2026-11-24T18:00:00Z) into milliseconds. @internal */
export function parseTime(text: string): number {
  const time = Date.parse(text)
  if (Number.isNaN(time)) throw new InvalidArgumentError(`expected a time such as 2026-11-24T18:00:00Z, got "${text}"`)
  return time
}

/** Parses `--until`: digits are a sequence number, anything else a time. @internal */
export function parsePoint(text: string): { seq: number } | { time: number } {
  return /^\d+$/.test(text) ? { seq: parseSeq(text) } : { time: parseTime(text) }
}
