import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import type { FollowerState } from './follower-state.js'
import { decodeEntry, type JournalEntry } from './journal-entry.js'
import type { MetricsRecorder } from './metrics.js'
import { loadNewestSnapshot } from './snapshots.js'
import type { StoreWarning } from './store-api.js'
import type { JournalStorage } from './storage.js'
import type { FollowerWarning } from './follower-warning.js'

/** A gap the tail met: entries after `seq` were removed before the follower read them. */
class Removed {
  constructor(readonly seq: number, readonly location: string) {}
}

/**
 * Keeps a {@link FollowerState} up to date from `storage.tail`: decodes and checks each line
 * (checksum, and the sequence continuing exactly where the state stands), applies whole runs,
 * catches up from a newer snapshot when the entries it needs were removed, and tails again
 * after a storage failure. A damaged entry or a recipe that throws halts it.
 * @internal
 */
export class FollowerTail<S extends RefValues> {
  readonly #storage: JournalStorage
  readonly #state: FollowerState<S>
  readonly #definition: StoreDefinition<S, Transactions<S>>
  readonly #warn: (warning: StoreWarning | FollowerWarning) => void
  readonly #retryMs: number
  readonly #metrics: MetricsRecorder
  #controller = new AbortController()
  #running: Promise<void> = Promise.resolve()
  #halted: StoreError | null = null
  #stopped = false
  #promote: (() => void) | null = null
  readonly promoted: Promise<void>
  /** The newest acknowledged seq the storage reported. */
  head = 0

  constructor(storage: JournalStorage, state: FollowerState<S>, definition: StoreDefinition<S, Transactions<S>>, warn: (warning: StoreWarning | FollowerWarning) => void, retryMs: number, metrics: MetricsRecorder) {
    this.#metrics = metrics
    this.#storage = storage
    this.#state = state
    this.#definition = definition
    this.#warn = warn
    this.#retryMs = retryMs
    this.promoted = new Promise((resolve) => (this.#promote = resolve))
  }

  get halted(): StoreError | null {
    return this.#halted
  }

  /** Starts tailing; resolves once caught up the first time. @throws what stopped it before that. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#running = this.#loop(resolve).catch((error: unknown) => {
        this.#halted = error instanceof StoreError ? error : new StoreError('REPLAY_FAILED', `following ${this.#storage.location} failed: ${String(error)}`, {}, { cause: error })
        reject(this.#halted)
      })
    })
  }

  /** Stops tailing (to close, or because this standby is about to write). */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#controller.abort()
    await this.#running.catch(() => undefined)
  }

  /** This standby writes now. */
  markPromoted(): void {
    this.#promote?.()
  }

  async #loop(caughtUp: () => void): Promise<void> {
    let failures = 0
    while (!this.#stopped) {
      try {
        await this.#follow(caughtUp)
        failures = 0
      } catch (error) {
        if (error instanceof Removed) {
          await this.#catchUp(error)
          continue
        }
        if (error instanceof StoreError || this.#stopped) throw error
        // The storage failed (a connection lost): tail again from where the state stands.
        if (failures++ === 0) this.#warn({ code: 'TAIL_FAILED', message: `following ${this.#storage.location} failed at seq ${this.#state.seq} (${(error as Error)?.message ?? String(error)}); trying again every ${this.#retryMs} ms`, location: this.#storage.location })
        await new Promise((resolve) => setTimeout(resolve, this.#retryMs))
      }
    }
  }

  async #follow(caughtUp: () => void): Promise<void> {
    this.#controller = new AbortController()
    if (this.#stopped) return
    const options = { signal: this.#controller.signal, onCaughtUp: caughtUp }
    for await (const chunk of this.#storage.tail!(this.#state.seq + 1, options)) {
      if (chunk.head !== undefined && chunk.head > this.head) this.head = chunk.head
      const location = chunk.segment?.location ?? this.#storage.location
      if (chunk.segment && chunk.segment.firstSeq > this.#state.seq + 1) throw new Removed(this.#state.seq, location)
      const entries: JournalEntry[] = []
      for (const line of chunk.lines) {
        const entry = decodeEntry(line)
        const expected = this.#state.seq + 1 + entries.length
        if (typeof entry === 'string') throw new StoreError('JOURNAL_CORRUPT', `journal ${location} is damaged at entry seq ${expected}: ${entry}; the follower stops at seq ${this.#state.seq}`, { location, seq: expected })
        if (entry.seq < expected) continue
        if (entry.seq > expected) throw new StoreError('JOURNAL_GAP', `journal ${location}: expected entry seq ${expected} next, found seq ${entry.seq}; the follower stops at seq ${this.#state.seq}`, { location, seq: expected })
        entries.push(entry)
      }
      if (entries.length > 0) this.#metrics.batch(entries.length, this.#state.apply(entries))
      if (this.#state.seq > this.head) this.head = this.#state.seq
    }
  }

  /** The entries after the state were removed: go on from the newest snapshot that covers them. */
  async #catchUp({ seq, location }: Removed): Promise<void> {
    const snapshots = this.#storage.snapshots
    const loaded = snapshots ? await loadNewestSnapshot(snapshots, this.#definition as never, this.#warn) : null
    if (!loaded || loaded.header.seq <= seq) {
      throw new StoreError('JOURNAL_GAP', `journal ${location}: the entries after seq ${seq} were removed and no snapshot at seq ${seq + 1} or later covers them; the follower stops at seq ${seq}`, { location, seq: seq + 1 })
    }
    this.#state.reset(loaded)
    this.#warn({ code: 'CAUGHT_UP_FROM_SNAPSHOT', message: `the journal after seq ${seq} was removed (retention); the follower went on from the snapshot at seq ${loaded.header.seq}`, location })
  }
}
