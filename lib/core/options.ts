import { StoreError } from './errors.js'

/**
 * What an option accepts: a description of it (for the message) and a test. Options are
 * checked before anything is opened, so a typo never quietly turns into a default.
 */
interface Rule {
  readonly expected: string
  readonly accepts: (value: unknown) => boolean
}

const oneOf = (...values: string[]): Rule => ({ expected: values.map((v) => `'${v}'`).join(', ').replace(/, ([^,]*)$/, ' or $1'), accepts: (v) => values.includes(v as string) })
const func: Rule = { expected: 'a function', accepts: (v) => typeof v === 'function' }
const bool: Rule = { expected: 'true or false', accepts: (v) => typeof v === 'boolean' }
const positiveMs: Rule = { expected: 'a positive, finite number of milliseconds', accepts: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 }
const count = (min: number, infinite: boolean): Rule => ({
  expected: `an integer ≥ ${min}${infinite ? ' or Infinity' : ''}`,
  accepts: (v) => (infinite && v === Infinity) || (Number.isSafeInteger(v) && (v as number) >= min),
})
const object: Rule = { expected: 'an object', accepts: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) }
const storage: Rule = {
  expected: 'a journal storage (an object with open, read, append, sync, truncate and close methods)',
  accepts: (v) => typeof v === 'object' && v !== null && ['open', 'read', 'append', 'sync', 'truncate', 'close'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
}

/** The options of `createStore`, each with what it accepts. */
const STORE_OPTIONS: Record<string, Rule> = {
  storage,
  durability: oneOf('always', 'interval', 'none'),
  syncIntervalMs: positiveMs,
  onWarning: func,
  onCorruption: oneOf('refuse', 'truncate'),
  clock: func,
  freeze: bool,
  replay: oneOf('plain', 'immer'),
  patches: bool,
  idempotencyWindow: count(0, false),
  maxQueue: count(1, true),
  whenFull: oneOf('wait', 'reject'),
  checkDeterminism: bool,
  snapshots: { expected: 'false or a snapshot policy object ({ everyEntries, everyBytes, keep, pruneJournal })', accepts: (v) => v === false || object.accepts(v) },
  onProgress: func,
  maxEntryBytes: { expected: `an integer from 1 to ${256 * 1024 * 1024} (256 MiB)`, accepts: (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 256 * 1024 * 1024 },
}

const SNAPSHOT_OPTIONS: Record<string, Rule> = {
  everyEntries: count(1, true),
  everyBytes: count(1, true),
  keep: count(1, false),
  pruneJournal: bool,
}

/** The options `openStore` adds (instead of `storage`). */
const DIRECTORY_OPTIONS: Record<string, Rule> = {
  dir: { expected: 'a directory path (a non-empty string)', accepts: (v) => typeof v === 'string' && v !== '' },
  fsync: oneOf('threadpool', 'inline'),
}

/** How a value arrived, for a message: strings quoted, objects by their kind. */
function arrived(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object' && value !== null) return 'an object'
  return String(value)
}

function closest(name: string, known: string[]): string {
  const near = known.filter((k) => k.toLowerCase() === name.toLowerCase() || distance(k, name) <= 2)
  return near.length > 0 ? `; did you mean ${near.join(' or ')}?` : ''
}

/** Edit distance of two short names (Levenshtein). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]
}

function check(options: unknown, rules: Record<string, Rule>, where: string, prefix = ''): void {
  if (!object.accepts(options)) throw invalid(`${where}options`, 'an object of options', arrived(options), where)
  for (const [name, value] of Object.entries(options as Record<string, unknown>)) {
    const rule = Object.hasOwn(rules, name) ? rules[name] : undefined
    const option = `${prefix}${name}`
    if (!rule) {
      const known = Object.keys(rules)
      throw invalid(option, `one of the known options (${known.join(', ')})`, 'an unknown option', where, closest(name, known))
    }
    // An option given as undefined means its default.
    if (value !== undefined && !rule.accepts(value)) throw invalid(option, rule.expected, arrived(value), where)
  }
}

function invalid(option: string, expected: string, got: string, where: string, hint = ''): StoreError {
  return new StoreError('INVALID_OPTION', `${where}: option ${option}: expected ${expected}, got ${got}${hint}`, { option, expected, arrived: got })
}

/**
 * Checks every option of `createStore` (and, with `directory`, those `openStore` adds instead
 * of `storage`): each must be known and of an accepted value.
 * @throws StoreError `INVALID_OPTION` naming the option, what it expects and what arrived.
 * @internal
 */
export function checkStoreOptions(options: unknown, directory = false): void {
  const where = directory ? 'openStore' : 'createStore'
  const rules: Record<string, Rule> = directory ? { ...STORE_OPTIONS, ...DIRECTORY_OPTIONS } : STORE_OPTIONS
  if (directory) delete rules.storage
  check(options, rules, where)
  const { snapshots } = options as { snapshots?: unknown }
  if (snapshots !== undefined && snapshots !== false) check(snapshots, SNAPSHOT_OPTIONS, where, 'snapshots.')
  const required = directory ? 'dir' : 'storage'
  if ((options as Record<string, unknown>)[required] === undefined) throw invalid(required, rules[required].expected, 'undefined', where)
}
