import { decodeArgs, type EncodedArgs } from './codec.js'
import { crc32 } from './crc32.js'

/** One decoded journal entry: a transaction as it was dispatched. */
export interface JournalEntry {
  /** Gap-free sequence number, starting at 1. */
  readonly seq: number
  /** The transaction's journaled time, in milliseconds since the epoch. */
  readonly time: number
  /** The transaction's name. */
  readonly name: string
  /** The transaction's arguments, decoded (Map, Set, Date, BigInt restored). */
  readonly args: unknown[]
  /** The idempotency key it was dispatched with (`dispatchOnce`); absent otherwise. */
  readonly key?: string
  /** The store definition's version that wrote it, when not 1 (field `v`). */
  readonly version?: number
}

// A line ends with `,"crc":"xxxxxxxx"}`: the checksum covers every byte before that suffix.
const CRC_SUFFIX_LENGTH = ',"crc":"'.length + 8 + '"}'.length

function crcHex(text: string): string {
  return crc32(text).toString(16).padStart(8, '0')
}

/** The value of exactly 8 lowercase hex digits (as {@link crcHex} writes them), or -1 for anything else. */
function parseHex8(text: string): number {
  let value = 0
  for (let i = 0; i < 8; i++) {
    const c = text.charCodeAt(i)
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
    if (digit < 0) return -1
    value = value * 16 + digit
  }
  return value
}

/**
 * Encodes one entry as a journal line (JSON object with a trailing CRC-32, ending in `\n`):
 * `{"seq":1,"time":"2026-11-24T18:00:00.000Z","tx":"add","args":[1,2],"crc":"3b6f0a1c"}`.
 * An idempotency key, when given, goes after `tx` (`"key":"order-17"`), inside the checksum;
 * lines without one are unchanged. So does the definition's version (`"v":2`) when it is not 1.
 */
export function encodeEntry(seq: number, isoTime: string, name: string, args: EncodedArgs, key?: string, version = 1): string {
  const meta = args.meta === undefined ? '' : `,"meta":${args.meta}`
  const keyField = key === undefined ? '' : `,"key":${JSON.stringify(key)}`
  const versionField = version === 1 ? '' : `,"v":${version}`
  const body = `{"seq":${seq},"time":"${isoTime}","tx":${JSON.stringify(name)}${keyField}${versionField},"args":${args.json}${meta}`
  return `${body},"crc":"${crcHex(body)}"}\n`
}

// Entries of one batch share their time, so the last parse is remembered: Date.parse was a
// tenth of the decoding of a transfer.
let lastTimeText = ''
let lastTime = Number.NaN

function parseTime(text: string): number {
  if (text !== lastTimeText) {
    lastTime = Date.parse(text)
    lastTimeText = text
  }
  return lastTime
}

/**
 * Decodes one journal line (without its `\n`). Returns the entry, or a string saying what is
 * wrong with the line (the caller knows where it is and raises the error).
 */
export function decodeEntry(line: string): JournalEntry | string {
  if (line.length <= CRC_SUFFIX_LENGTH) return `a line of ${line.length} characters is too short to be an entry`
  const body = line.slice(0, line.length - CRC_SUFFIX_LENGTH)
  const stored = line.slice(line.length - CRC_SUFFIX_LENGTH + 8, line.length - 2)
  // The checksum does not cover its own frame, so the frame is checked literally: a damaged
  // byte there would otherwise pass unnoticed (found by the journal fuzz spec).
  if (!line.startsWith(',"crc":"', line.length - CRC_SUFFIX_LENGTH) || !line.endsWith('"}')) {
    return `expected the line to end in ,"crc":"<8 hex digits>"}, found ${JSON.stringify(line.slice(line.length - CRC_SUFFIX_LENGTH))}`
  }
  // Compared as numbers: formatting the computed checksum as hex for every line cost more
  // than computing it; the text is made only for the message.
  const actual = crc32(body)
  if (parseHex8(stored) !== actual) return `checksum mismatch (stored "${stored}", computed "${actual.toString(16).padStart(8, '0')}")`
  const canonical = decodeCanonical(line, body.length)
  if (canonical !== null) return canonical
  let raw: { seq?: unknown; time?: unknown; tx?: unknown; key?: unknown; v?: unknown; args?: unknown; meta?: unknown }
  try {
    raw = JSON.parse(line) as typeof raw
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`
  }
  const time = typeof raw.time === 'string' ? parseTime(raw.time) : Number.NaN
  if (!Number.isSafeInteger(raw.seq) || typeof raw.tx !== 'string' || !Array.isArray(raw.args) || Number.isNaN(time)) {
    return 'expected fields seq (integer), time (ISO date), tx (string) and args (array)'
  }
  if (raw.key !== undefined && typeof raw.key !== 'string') return `expected the optional field key to be a string, got ${typeof raw.key}`
  if (raw.v !== undefined && !(Number.isSafeInteger(raw.v) && (raw.v as number) > 1)) return `expected the optional field v to be an integer above 1, got ${JSON.stringify(raw.v)}`
  try {
    const entry: { -readonly [K in keyof JournalEntry]: JournalEntry[K] } = { seq: raw.seq as number, time, name: raw.tx, args: decodeArgs(raw.args, raw.meta) }
    if (raw.key !== undefined) entry.key = raw.key
    if (raw.v !== undefined) entry.version = raw.v as number
    return entry
  } catch (error) {
    return `arguments do not decode (${(error as Error).message})`
  }
}

const SEQ_FIELD = '{"seq":'
const TIME_FIELD = ',"time":"'
const TX_FIELD = '","tx":"'
const ARGS_FIELD = '","args":'

/**
 * The fast path for a line exactly as {@link encodeEntry} writes it without key, version or
 * meta: `{"seq":N,"time":"…","tx":"…","args":[…]` (checksum already verified up to `end`).
 * The three leading fields are read in place and only the arguments go through JSON.parse,
 * about a fifth of the line. Anything else (whitespace, escapes, other fields, other order)
 * returns null and takes the general path, so both paths accept exactly the same lines.
 */
function decodeCanonical(line: string, end: number): JournalEntry | null {
  if (!line.startsWith(SEQ_FIELD)) return null
  let i = SEQ_FIELD.length
  let seq = 0
  for (; i < end; i++) {
    const c = line.charCodeAt(i)
    if (c < 48 || c > 57) break
    seq = seq * 10 + (c - 48)
  }
  // JSON forbids leading zeros; a sequence number is at least 1.
  if (i === SEQ_FIELD.length || line.charCodeAt(SEQ_FIELD.length) === 48 || !Number.isSafeInteger(seq)) return null
  if (!line.startsWith(TIME_FIELD, i)) return null
  const timeStart = i + TIME_FIELD.length
  const timeEnd = plainStringEnd(line, timeStart, end)
  if (timeEnd < 0 || !line.startsWith(TX_FIELD, timeEnd)) return null
  const nameStart = timeEnd + TX_FIELD.length
  const nameEnd = plainStringEnd(line, nameStart, end)
  if (nameEnd < 0 || !line.startsWith(ARGS_FIELD, nameEnd)) return null
  const time = parseTime(line.slice(timeStart, timeEnd))
  if (Number.isNaN(time)) return null
  let args: unknown
  try {
    args = JSON.parse(line.slice(nameEnd + ARGS_FIELD.length, end))
  } catch {
    return null // e.g. `meta` follows the arguments: the general path reads the whole line
  }
  if (!Array.isArray(args)) return null
  return { seq, time, name: line.slice(nameStart, nameEnd), args }
}

/** Where a JSON string's text that starts at `start` ends (its closing quote), or -1 if it holds an escape or a control character. */
function plainStringEnd(line: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i)
    if (c === 34) return i
    if (c === 92 || c < 32) return -1
  }
  return -1
}
