/**
 * Every failure the library reports is a {@link StoreError} with one of these codes.
 * The README lists each code with what to do about it.
 */
export type StoreErrorCode =
  /** `dispatch` named a transaction the definition does not have, or replay met one. */
  | 'UNKNOWN_TRANSACTION'
  /** An argument would not survive the journal (function, symbol, cycle, class instance). */
  | 'UNSERIALIZABLE_ARGUMENT'
  /** `dispatch` after `close()`. */
  | 'STORE_CLOSED'
  /** An earlier write or fsync failed; the store accepts no more writes. `cause` says why. */
  | 'STORE_HALTED'
  /** A write or fsync of the journal failed; the calls of that batch are not durable. */
  | 'WRITE_FAILED'
  /** A recipe called `dispatch`; recipes must be pure functions of state and arguments. */
  | 'DISPATCH_IN_RECIPE'
  /** A recipe returned a promise; recipes must be synchronous. */
  | 'ASYNC_RECIPE'
  /** A journal entry failed its checksum, did not parse, or broke the sequence. */
  | 'JOURNAL_CORRUPT'
  /** A journal entry's recipe threw while it was replayed. */
  | 'REPLAY_FAILED'
  /** Another writer holds the journal's directory. */
  | 'LOCKED'
  /** The lock file is a symbolic link or not a regular file: refused, never followed. */
  | 'LOCK_INVALID'
  /** The lock file was deleted or replaced while the store held it: the store writes nothing more. */
  | 'LOCK_LOST'
  /** The exclusive file lock (a native package with prebuilt binaries) could not be loaded; the message says what to install. */
  | 'LOCK_UNAVAILABLE'
  /** The store definition or an option is not valid. */
  | 'INVALID_DEFINITION'
  /** An option of `createStore`/`openStore` is unknown or has a value it does not accept. */
  | 'INVALID_OPTION'
  /** A write (`dispatch`) on a store opened read-only at a point in time. */
  | 'READ_ONLY'
  /** A point in time (a sequence number) that the journal does not reach. */
  | 'OUT_OF_RANGE'
  /** `dispatchOnce` got an idempotency key that is not a string of 1 to 256 characters. */
  | 'INVALID_KEY'
  /** `dispatchOnce` reused a remembered key for a different transaction or arguments. */
  | 'IDEMPOTENCY_CONFLICT'
  /** A dispatch's journal entry would be larger than `maxEntryBytes`; nothing was journaled. */
  | 'ENTRY_TOO_LARGE'
  /** The dispatch queue is full (`maxQueue`) and the store was told to refuse (`whenFull: 'reject'`). */
  | 'QUEUE_FULL'
  /** A recipe gave a different result when run twice on the same state (`checkDeterminism`). */
  | 'NONDETERMINISTIC'
  /** Entries are missing between the start (a snapshot or seq 1) and the last entry: a segment was removed or lost. */
  | 'JOURNAL_GAP'
  /** A segment or snapshot a reader needed was removed by the writer (after a newer snapshot) while it read: read again. */
  | 'JOURNAL_PRUNED'
  /** A point in time was asked by time of a journal whose entry times go backwards: ask by seq. */
  | 'TIME_BACKWARDS'
  /** A snapshot failed its checksum or did not parse; at open the previous one is tried instead. */
  | 'SNAPSHOT_CORRUPT'
  /** Writing a snapshot failed (the journal is untouched and the store goes on). */
  | 'SNAPSHOT_FAILED'
  /** A snapshot or journal entry was written by a newer version of the store definition than the running code. */
  | 'VERSION_TOO_NEW'
  /** A migration (snapshot state) or upcaster (journal entry) threw, or none was given for a version step. */
  | 'MIGRATION_FAILED'
  /** This writer lost its lease (another one took over): it acknowledges nothing more. */
  | 'FENCED'
  /** A shared journal (PostgreSQL) could not be reached or refused a statement; `cause` says why. */
  | 'STORAGE_UNAVAILABLE'
  /** A served store's `authorize` refused a client's dispatch (or threw). */
  | 'UNAUTHORIZED'
  /** A client subscribed to a view the server does not offer. */
  | 'UNKNOWN_VIEW'
  /** A served view threw while it was computed. */
  | 'VIEW_FAILED'
  /** A served transaction's recipe threw (the message names the error); nothing changed. */
  | 'TRANSACTION_FAILED'
  /** A live client's connection closed for good (`close()`), so a dispatch cannot be answered. */
  | 'CONNECTION_CLOSED'

/** Where an error happened, as far as it is known. */
export interface StoreErrorDetails {
  /** The journal file (or other storage location). */
  readonly location?: string
  /** Byte offset in that file. */
  readonly offset?: number
  /** Sequence number of the entry concerned. */
  readonly seq?: number
  /** Transaction name concerned. */
  readonly transaction?: string
  /** Path inside an argument, e.g. `args[0].items[2]`. */
  readonly path?: string
  /** The option concerned (`INVALID_OPTION`), e.g. `snapshots.keep`. */
  readonly option?: string
  /** What was expected there (`INVALID_OPTION`, `ENTRY_TOO_LARGE`). */
  readonly expected?: string
  /** What arrived instead. */
  readonly arrived?: string
}

/**
 * The one error class of the library. `code` is stable and meant for programs;
 * `message` says what was expected, what arrived and where.
 *
 * @example
 * try { await store.dispatch('add', 1, 2) }
 * catch (e) { if (e instanceof StoreError && e.code === 'STORE_HALTED') restart() }
 */
export class StoreError extends Error {
  /** Stable machine-readable reason. */
  readonly code: StoreErrorCode
  /** Where it happened (file, offset, seq, transaction, argument path). */
  readonly details: StoreErrorDetails

  constructor(code: StoreErrorCode, message: string, details: StoreErrorDetails = {}, options?: { cause?: unknown }) {
    super(`prevalent: ${message}`, options)
    this.name = 'StoreError'
    this.code = code
    this.details = details
  }
}

/** True when `error` is a {@link StoreError}, optionally with the given code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code)
}
