import { inspect } from 'node:util'
import { InvalidArgumentError } from 'commander'
import type { JournalEntry } from '../../core/journal-entry.js'
import type { ScannedTornTail } from '../../core/journal-scan.js'
import type { ScannedGap, SegmentItem } from './journal-dir.js'

/** Control characters (C0 but line breaks, DEL, C1), bidirectional overrides and line separators. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * Escapes what could rewrite a terminal (`\x1b[2J`) or reorder what it shows (`\u202e`), so
 * text taken from a journal (transaction names, keys, reasons quoting a line) prints as what
 * it is. Every human output of the CLI goes through it. @internal
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

/** A value as a person reads it: Map, Set, Date and BigInt spelled out, on one line. @internal */
export function formatValue(value: unknown, colors = false): string {
  return inspect(value, { depth: null, breakLength: Infinity, compact: true, colors, maxArrayLength: 20, maxStringLength: 200 })
}

/** `add(1, 2)`: the transaction as a call. @internal */
export function formatCall(entry: JournalEntry, colors = false): string {
  return `${escapeControl(entry.name)}(${entry.args.map((a) => formatValue(a, colors)).join(', ')})`
}

/** `     3  2026-11-24T20:12:30.323Z  swap()`: one entry as a readable line (with its idempotency key, if any). @internal */
export function formatEntry(entry: JournalEntry, colors = false): string {
  const key = entry.key === undefined ? '' : `  key ${escapeControl(JSON.stringify(entry.key))}`
  return `${String(entry.seq).padStart(7)}  ${new Date(entry.time).toISOString()}  ${formatCall(entry, colors)}${key}`
}

/** A damaged line, torn tail or gap as a readable line, after `file` if given (entries use {@link formatEntry}). @internal */
export function formatProblem(file: string, item: SegmentItem): string {
  return escapeControl(describeItem(file, item))
}

function describeItem(file: string, item: SegmentItem): string {
  const where = `${file === '' ? '' : `${file} `}at byte ${item.offset}`
  if (item.kind === 'damage') return `${where} (seq ${item.seq}): ${item.reason}`
  if (item.kind === 'torn') return `${where}: ${tornReason(item)}`
  if (item.kind === 'gap') return `${where}: ${gapReason(item, file)}`
  return `${where} (seq ${item.entry.seq}): ok`
}

/** What a torn tail is: `torn last entry, 8 bytes without a line break, …`. @internal */
export function tornReason(item: ScannedTornTail, next?: string): string {
  const what = item.entry ? `a whole entry (seq ${item.entry.seq}) without its line break` : `${item.length} bytes without a line break`
  if (next !== undefined) return `torn entry, ${what}, at the end of an older segment (${next} follows it)`
  return `torn last entry, ${what}, left by a crash mid-append (never acknowledged)`
}

/** `entries seq 4 to 5 are missing (between A and B)`: entries missing where segment `file` begins. @internal */
export function gapReason(gap: ScannedGap, file: string): string {
  const missing = gap.from === gap.to ? `entry seq ${gap.from} is` : `entries seq ${gap.from} to ${gap.to} are`
  return gap.previous ? `${missing} missing (between ${gap.previous.file} and ${file})` : `${missing} missing (before ${file}, the first segment)`
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
