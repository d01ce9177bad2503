import type { EntryCall, RefValues, StoreDefinition, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import type { JournalEntry } from './journal-entry.js'

type AnyDefinition = StoreDefinition<RefValues, Transactions<RefValues>>

/** @throws StoreError `VERSION_TOO_NEW` when `written` is newer than the definition. @internal */
export function assertNotNewer(definition: AnyDefinition, written: number, what: string, location: string, seq?: number): void {
  const version = definition.version ?? 1
  if (written <= version) return
  throw new StoreError('VERSION_TOO_NEW', `${what} was written by version ${written} of the store definition, but the running code is version ${version}; refusing to read it (upgrade the code, or open a copy made before the upgrade)`, { location, ...(seq !== undefined && { seq }) })
}

/**
 * An entry written at an older version, carried through each later version's `entry` upcaster
 * (a version without one leaves it as it is). Entries of the current version pass unchanged.
 * @throws StoreError `VERSION_TOO_NEW`, `MIGRATION_FAILED`.
 * @internal
 */
export function upcastEntry(definition: AnyDefinition, entry: JournalEntry, location: string): JournalEntry {
  const written = entry.version ?? 1
  const version = definition.version ?? 1
  if (written === version) return entry
  assertNotNewer(definition, written, `journal entry seq ${entry.seq}`, location, entry.seq)
  let call: EntryCall = { name: entry.name, args: entry.args }
  for (let to = written + 1; to <= version; to++) {
    const upcast = definition.migrations?.[to]?.entry
    if (!upcast) continue
    try {
      call = upcast(call)
    } catch (cause) {
      throw new StoreError('MIGRATION_FAILED', `upcasting journal entry seq ${entry.seq} ("${call.name}") from version ${to - 1} to ${to} threw: ${(cause as Error)?.message ?? String(cause)}`, { location, seq: entry.seq, transaction: call.name }, { cause })
    }
    if (call === null || typeof call !== 'object' || typeof call.name !== 'string' || !Array.isArray(call.args)) {
      throw new StoreError('MIGRATION_FAILED', `migrations[${to}].entry must return { name: string, args: array } for entry seq ${entry.seq}, got ${JSON.stringify(call)}`, { location, seq: entry.seq })
    }
  }
  return { ...entry, name: call.name, args: call.args, version }
}

/**
 * A snapshot's state, written at `written`, carried through each later version's `state`
 * migration; refs the definition has and the state lacks get their initial values, refs the
 * definition no longer has are dropped.
 * @throws StoreError `VERSION_TOO_NEW`, `MIGRATION_FAILED`.
 * @internal
 */
export function migrateState(definition: AnyDefinition, state: RefValues, written: number, location: string): RefValues {
  const version = definition.version ?? 1
  assertNotNewer(definition, written, `snapshot ${location}`, location)
  let current = state
  for (let to = written + 1; to <= version; to++) {
    const migrate = definition.migrations?.[to]?.state
    if (!migrate) continue
    try {
      current = (migrate(current) ?? current) as RefValues
    } catch (cause) {
      throw new StoreError('MIGRATION_FAILED', `migrating snapshot ${location} from version ${to - 1} to ${to} threw: ${(cause as Error)?.message ?? String(cause)}`, { location }, { cause })
    }
  }
  const refs: RefValues = {}
  for (const name of Object.keys(definition.refs)) refs[name] = Object.hasOwn(current, name) ? current[name] : definition.refs[name]
  return refs
}
