import type { Pool } from 'pg'

/**
 * Wakes followers after commits, coalesced: at most one NOTIFY in flight; commits made
 * meanwhile are covered by one more, carrying the newest head. This keeps PostgreSQL's
 * notification lock (taken at commit by every transaction that notifies) off the append path.
 * @internal
 */
export class Notifier {
  readonly #pool: Pool
  readonly #channel: string
  #inFlight: Promise<void> | null = null
  #next = 0

  constructor(pool: Pool, channel: string) {
    this.#pool = pool
    this.#channel = channel
  }

  /** Followers should learn that the head is now `head`. Never throws (the safety poll covers a lost one). */
  notify(head: number): void {
    this.#next = Math.max(this.#next, head)
    if (this.#inFlight) return
    this.#inFlight = this.#send()
  }

  /** Resolves once no NOTIFY is in flight. */
  async idle(): Promise<void> {
    await this.#inFlight
  }

  async #send(): Promise<void> {
    let sent = 0
    while (sent < this.#next) {
      sent = this.#next
      await this.#pool.query('SELECT pg_notify($1, $2)', [this.#channel, String(sent)]).catch(() => undefined)
    }
    this.#inFlight = null
  }
}
