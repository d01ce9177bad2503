import type { Observable } from 'rxjs'
import type { StoreDefinition, TransactionArgs, TransactionResult } from '../core/definition.js'
import type { LiveView } from './live-view.js'
import type { SocketFactory } from './socket.js'
import type { Wire } from './wire.js'

/** Where a connection stands: `connecting` (also between retries), `open`, or `closed` for good. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed'

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The WebSocket constructor (default `globalThis.WebSocket`; in Node tests, `ws`'s). */
  readonly WebSocket?: SocketFactory
  /** First delay before a reconnect (default 250 ms); it doubles up to `maxRetryMs`, with jitter. */
  readonly retryMs?: number
  /** Longest delay between reconnects (default 5,000 ms). */
  readonly maxRetryMs?: number
}

/** What a dispatch from the client resolves with, once the transaction is durable on the server. */
export interface LiveReceipt<R> {
  /** The entry's sequence number. */
  readonly seq: number
  /** The recipe's result, as it crossed the wire. */
  readonly result: R
  /** True when the server had already applied this dispatch (a resend after a reconnect). */
  readonly duplicate: boolean
}

/** One commit as the client saw it: its seq and the views it changed (for tools such as DevTools). */
export interface LiveUpdate {
  readonly seq: number
  readonly views: readonly string[]
}

/** The transactions of a store definition. */
export type Defs<D> = D extends StoreDefinition<any, infer T> ? T : never
/** The views a server declares, by name (as `defineViews` returns them). */
export type ViewsOf = Record<string, (state: any, identity: any) => unknown>

/** The client side of a served store: typed views, typed dispatch, status. */
export interface LiveConnection<D extends StoreDefinition<any, any>, V extends ViewsOf> {
  /** The view `name`, subscribed on first use and kept for the connection's life. */
  view<K extends keyof V & string>(name: K): LiveView<Wire<ReturnType<V[K]>>>
  /**
   * Sends a named transaction; resolves once it is durable on the server. Sent with an
   * idempotency key: if the connection drops first, it is resent on reconnect and still takes
   * effect once.
   * @throws (rejects) StoreError with the server's code (`UNAUTHORIZED`, `TRANSACTION_FAILED`, `UNKNOWN_TRANSACTION`…), or `CONNECTION_CLOSED` after `close()`.
   */
  dispatch<K extends keyof Defs<D> & string>(name: K, ...args: TransactionArgs<Defs<D>[K]>): Promise<LiveReceipt<Wire<TransactionResult<Defs<D>[K]>>>>
  /** The status now. */
  readonly status: ConnectionStatus
  /** The status, emitted at each change (starting with the current one). */
  readonly status$: Observable<ConnectionStatus>
  /** Each commit received, after its views changed. */
  readonly updates$: Observable<LiveUpdate>
  /** The last seq received from the server. */
  readonly seq: number
  /** Dispatches sent and not yet answered. */
  readonly pending: number
  /** Why the socket last closed (close code and reason), or null. */
  readonly lastClose: { readonly code: number; readonly reason: string } | null
  /** Closes the connection for good; pending dispatches reject with `CONNECTION_CLOSED`. */
  close(): void
}
