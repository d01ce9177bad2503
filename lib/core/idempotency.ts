import type { EncodedArgs } from './codec.js'
import { StoreError } from './errors.js'
import type { OnceReceipt, Receipt } from './receipt.js'

export type { OnceReceipt } from './receipt.js'

interface Outcome {
  readonly fingerprint: string
  readonly receipt: Receipt<unknown>
}

/** Default number of idempotency keys a store remembers. */
export const DEFAULT_IDEMPOTENCY_WINDOW = 10_000

const MAX_KEY_LENGTH = 256

/** What identifies a call besides its key: a retry must send the same name and arguments. */
export function fingerprint(name: string, encoded: EncodedArgs): string {
  return `${name}\u0000${encoded.json}\u0000${encoded.meta ?? ''}`
}

/**
 * @throws StoreError `INVALID_KEY` unless `key` is a string of 1 to 256 characters.
 * @internal
 */
export function checkKey(key: unknown, transaction: string): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    const got = typeof key === 'string' ? `a string of ${key.length} characters` : typeof key
    throw new StoreError('INVALID_KEY', `dispatchOnce(key, "${transaction}"): expected an idempotency key of 1 to ${MAX_KEY_LENGTH} characters, got ${got}`, { transaction })
  }
}

/**
 * The idempotency keys a store remembers: the last `window` keys journaled (oldest forgotten
 * first), each with its first outcome, plus the keys whose call is still in flight. Rebuilt at
 * open from the keys in the journal, so a retry after a restart finds its first outcome.
 * @internal
 */
export class IdempotencyTable {
  readonly #window: number
  readonly #done = new Map<string, Outcome>()
  readonly #inFlight = new Map<string, { fingerprint: string; promise: Promise<Receipt<unknown>> }>()

  constructor(window: number = DEFAULT_IDEMPOTENCY_WINDOW) {
    if (!Number.isSafeInteger(window) || window < 0) throw new StoreError('INVALID_DEFINITION', `idempotencyWindow must be an integer ≥ 0, got ${String(window)}`)
    this.#window = window
  }

  /** Number of keys remembered (at most the window). */
  get size(): number {
    return this.#done.size
  }

  /** Records a journaled key's outcome (live, or while replaying), forgetting the oldest beyond the window. */
  remember(key: string, fingerprint: string, receipt: Receipt<unknown>): void {
    this.#done.delete(key)
    this.#done.set(key, { fingerprint, receipt })
    if (this.#done.size > this.#window) this.#done.delete(this.#done.keys().next().value as string)
  }

  /** The remembered keys, oldest first, with their outcomes (what a snapshot keeps). */
  entries(): Array<[key: string, fingerprint: string, receipt: Receipt<unknown>]> {
    return [...this.#done].map(([key, { fingerprint, receipt }]) => [key, fingerprint, receipt])
  }

  /**
   * Runs `start` unless the key was seen: then resolves with the first outcome (or waits for
   * the first call, still in flight, and shares its outcome).
   * @throws StoreError `IDEMPOTENCY_CONFLICT` when the key was used for another call.
   */
  async run(key: string, name: string, print: string, start: () => Promise<Receipt<unknown>>): Promise<OnceReceipt<unknown>> {
    const known = this.#done.get(key) ?? this.#inFlight.get(key)
    if (known) {
      if (known.fingerprint !== print) {
        throw new StoreError('IDEMPOTENCY_CONFLICT', `dispatchOnce(${JSON.stringify(key)}, "${name}"): this key was first used for a different call (${describe(known.fingerprint)}); expected a retry to send the same transaction and arguments, got ${describe(print)}`, { transaction: name })
      }
      const receipt = 'receipt' in known ? known.receipt : await known.promise
      return { ...receipt, duplicate: true }
    }
    const promise = start()
    this.#inFlight.set(key, { fingerprint: print, promise })
    try {
      const receipt = await promise
      // Journaled with the key: remember it now, before any caller can retry.
      this.remember(key, print, receipt)
      return { ...receipt, duplicate: false }
    } finally {
      this.#inFlight.delete(key)
    }
  }
}

function describe(print: string): string {
  const [name, json] = print.split('\u0000')
  const args = json.length > 80 ? `${json.slice(0, 77)}...` : json
  return `"${name}" with ${args}`
}
