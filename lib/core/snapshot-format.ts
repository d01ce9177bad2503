import { decodeValue, encodeValue } from './codec.js'
import { Collection } from './collection.js'
import { crc32 } from './crc32.js'
import type { RefValues } from './definition.js'
import { StoreError } from './errors.js'
import type { Receipt } from './receipt.js'

/** How a ref's value is cut into lines: containers by their items, anything else whole. */
type Kind = 'collection' | 'map' | 'set' | 'array' | 'object' | 'value'

/** What a snapshot holds besides the refs: the run it was taken at and what must survive a restart. */
export interface SnapshotHeader {
  /** The last entry included. */
  readonly seq: number
  /** That entry's journaled time (ms since the epoch); times never go backwards after a restart. */
  readonly time: number
  /** The store definition's version that wrote it. */
  readonly version: number
}

/** A remembered idempotency key: key, fingerprint, first outcome. */
export type KeyRecord = [key: string, fingerprint: string, receipt: Receipt<unknown>]

/** CRC-32 of a line's UTF-8 bytes, continuing `seed` (zlib's on Node: 2.8x the JavaScript package on a 430 KB line). */
function crcOf(line: string, seed: number): number {
  return crc32(line, seed)
}

/** Items per line at first; adapted so that lines stay between about 64 KiB and 1 MiB. */
const FIRST_RUN = 512
const MAX_LINE = 1 << 20

function kindOf(value: unknown): Kind {
  if (value instanceof Collection) return 'collection'
  if (value instanceof Map) return 'map'
  if (value instanceof Set) return 'set'
  if (Array.isArray(value)) return 'array'
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) return 'object'
  return 'value'
}

function items(value: unknown, kind: Kind): Iterable<unknown> {
  switch (kind) {
    case 'collection':
      return (value as Collection<unknown>).entries()
    case 'map':
      return (value as Map<unknown, unknown>).entries()
    case 'set':
    case 'array':
      return value as Iterable<unknown>
    case 'object':
      return Object.entries(value as object)
    default:
      return [value]
  }
}

/**
 * The lines of a snapshot (each ending in `\n`), produced lazily so a large state is never one
 * string: a header, then each ref's items in runs (a line per run), the remembered idempotency
 * keys, and a footer with the count of lines and the CRC-32 of every byte before it.
 *
 * `{"snapshot":1,"seq":42,"time":"…","version":1,"refs":{"accounts":"collection","x":"value"}}`
 * `{"ref":"accounts","json":[["alice",{"balance":10}],…]}` (plus `"meta"` when the codec annotates)
 * `{"keys":[…]}` and `{"end":5,"crc":"1c532890"}`
 *
 * @throws StoreError `SNAPSHOT_FAILED` when one item is too large for a string (about 512 MB).
 * @internal
 */
export function* snapshotLines(state: RefValues, header: SnapshotHeader, keys: readonly KeyRecord[]): Generator<string> {
  let crc = 0
  let count = 0
  const emit = (line: string): string => {
    crc = crcOf(line, crc)
    count++
    return line
  }
  const kinds: Record<string, Kind> = {}
  for (const [name, value] of Object.entries(state)) kinds[name] = kindOf(value)
  yield emit(`${JSON.stringify({ snapshot: 1, seq: header.seq, time: new Date(header.time).toISOString(), version: header.version, refs: kinds })}\n`)
  for (const [name, value] of Object.entries(state)) {
    let run = FIRST_RUN
    let batch: unknown[] = []
    const part = (): string => {
      const line = encodeLine(name, batch)
      batch = []
      // Keep lines near a useful size whatever the items weigh.
      if (line.length > MAX_LINE && run > 1) run = Math.max(1, run >> 1)
      else if (line.length < MAX_LINE >> 4) run = Math.min(run * 2, 1 << 16)
      return emit(line)
    }
    for (const item of items(value, kinds[name])) {
      batch.push(item)
      if (batch.length >= run) yield part()
    }
    if (batch.length > 0) yield part()
  }
  if (keys.length > 0) {
    const { json, meta } = encodeValue(keys)
    yield emit(`{"keys":${json}${meta === undefined ? '' : `,"meta":${meta}`}}\n`)
  }
  yield `{"end":${count},"crc":"${hex(crc)}"}\n`
}

function encodeLine(ref: string, batch: unknown[]): string {
  try {
    const { json, meta } = encodeValue(batch)
    return `{"ref":${JSON.stringify(ref)},"json":${json}${meta === undefined ? '' : `,"meta":${meta}`}}\n`
  } catch (cause) {
    if (!(cause instanceof RangeError)) throw cause
    throw new StoreError('SNAPSHOT_FAILED', `ref "${ref}": a run of ${batch.length} item(s) is too large to encode as one string (${cause.message}); a single item (an entry of a Collection or Map, an element of an array or Set, a key of an object, or a whole non-container value) must encode below about 512 MB`, { path: ref }, { cause })
  }
}

function hex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0')
}

/** Builds a state back from a snapshot's lines, fed in order; {@link finish} checks that it is whole. @internal */
export class SnapshotReader {
  readonly #location: string
  #crc = 0
  #count = 0
  #line = 0
  #header: (SnapshotHeader & { kinds: Record<string, Kind> }) | null = null
  #ended = false
  readonly #parts = new Map<string, unknown>()
  #keys: KeyRecord[] = []

  constructor(location: string) {
    this.#location = location
  }

  /** The header, once the first line has been read. */
  get header(): SnapshotHeader | null {
    return this.#header
  }

  /** Takes the next lines (without their `\n`). @throws StoreError `SNAPSHOT_CORRUPT`. */
  push(lines: readonly string[]): void {
    for (const line of lines) {
      try {
        this.#take(line)
      } catch (error) {
        // Whatever a damaged line makes the decoding throw, it is damage of this snapshot.
        if (error instanceof StoreError) throw error
        throw this.#corrupt(`line ${this.#line} does not decode (${(error as Error)?.message ?? String(error)})`)
      }
    }
  }

  /** The state and keys, once the footer has been read and matched. @throws StoreError `SNAPSHOT_CORRUPT`. */
  finish(): { state: RefValues; header: SnapshotHeader; keys: KeyRecord[] } {
    if (!this.#ended || !this.#header) throw this.#corrupt(`it ends after ${this.#line} line(s) without its footer (a write cut short)`)
    const state: RefValues = {}
    for (const [name, kind] of Object.entries(this.#header.kinds)) state[name] = this.#parts.get(name) ?? empty(kind)
    const { seq, time, version } = this.#header
    return { state, header: { seq, time, version }, keys: this.#keys }
  }

  #take(line: string): void {
    this.#line++
    if (this.#ended) throw this.#corrupt('there are lines after its footer')
    if (line.startsWith('{"end":')) {
      const footer = this.#parse(line) as { end?: unknown; crc?: unknown }
      if (footer.end !== this.#count || footer.crc !== hex(this.#crc)) {
        throw this.#corrupt(`checksum mismatch (footer says ${String(footer.end)} lines with CRC ${String(footer.crc)}, read ${this.#count} with CRC ${hex(this.#crc)})`)
      }
      this.#ended = true
      return
    }
    this.#crc = crcOf(`${line}\n`, this.#crc)
    this.#count++
    const record = this.#parse(line) as Record<string, unknown>
    if (this.#header === null) {
      const { snapshot, seq, time, version, refs } = record
      const ms = typeof time === 'string' ? Date.parse(time) : Number.NaN
      if (snapshot !== 1 || !Number.isSafeInteger(seq) || Number.isNaN(ms) || !Number.isSafeInteger(version) || typeof refs !== 'object' || refs === null) {
        throw this.#corrupt('expected a header line {"snapshot":1,"seq","time","version","refs"} first')
      }
      this.#header = { seq: seq as number, time: ms, version: version as number, kinds: refs as Record<string, Kind> }
      return
    }
    if (Array.isArray(record.keys)) {
      this.#keys = decodeValue(record.keys, record.meta) as KeyRecord[]
      return
    }
    const name = record.ref
    if (typeof name !== 'string' || !Object.hasOwn(this.#header.kinds, name) || !Array.isArray(record.json)) throw this.#corrupt(`expected a part of a ref named in the header, found ${line.slice(0, 60)}`)
    this.#add(name, this.#header.kinds[name], decodeValue(record.json, record.meta) as unknown[])
  }

  #add(name: string, kind: Kind, batch: unknown[]): void {
    let target = this.#parts.get(name)
    if (target === undefined) this.#parts.set(name, (target = empty(kind)))
    switch (kind) {
      case 'collection':
        for (const [key, value] of batch as Array<[string, unknown]>) (target as Collection<unknown>).set(key, value)
        break
      case 'map':
        for (const [key, value] of batch as Array<[unknown, unknown]>) (target as Map<unknown, unknown>).set(key, value)
        break
      case 'set':
        for (const value of batch) (target as Set<unknown>).add(value)
        break
      case 'array':
        for (const value of batch) (target as unknown[]).push(value)
        break
      case 'object':
        for (const [key, value] of batch as Array<[string, unknown]>) (target as Record<string, unknown>)[key] = value
        break
      default:
        this.#parts.set(name, batch[0])
    }
  }

  #parse(line: string): unknown {
    try {
      return JSON.parse(line)
    } catch (error) {
      throw this.#corrupt(`line ${this.#line} is not valid JSON (${(error as Error).message})`)
    }
  }

  #corrupt(reason: string): StoreError {
    return new StoreError('SNAPSHOT_CORRUPT', `snapshot ${this.#location} is damaged: ${reason}`, { location: this.#location, ...(this.#header && { seq: this.#header.seq }) })
  }
}

function empty(kind: Kind): unknown {
  switch (kind) {
    case 'collection':
      return new Collection()
    case 'map':
      return new Map()
    case 'set':
      return new Set()
    case 'array':
      return []
    case 'object':
      return {}
    default:
      return undefined
  }
}
