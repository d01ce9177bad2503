import { BehaviorSubject, Subject, type Observable } from 'rxjs'
import type { StoreDefinition, TransactionArgs, TransactionResult } from '../core/definition.js'
import { StoreError, type StoreErrorCode } from '../core/errors.js'
import { applyPatch, deepFreeze } from './apply-patch.js'
import { ClientView, type LiveView } from './live-view.js'
import type { ServerMessage } from './protocol.js'
import { globalSocket, OPEN, randomId, type SocketFactory, type SocketLike } from './socket.js'
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

type Defs<D> = D extends StoreDefinition<any, infer T> ? T : never
type ViewsOf = Record<string, (state: any, identity: any) => unknown>

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

interface Pending {
  readonly id: number
  readonly text: string
  readonly resolve: (receipt: LiveReceipt<unknown>) => void
  readonly reject: (error: StoreError) => void
}

/**
 * Connects to a served store (see `serveStore`): typed by the store's definition and its views,
 * so a wrong transaction name or argument is a compile error in the page's code too.
 * Reconnects on its own (back-off with jitter) and resumes each view from the last seq seen.
 *
 * @example
 * import type { bank } from './bank'
 * import type { views } from './views'
 * const live = connect<typeof bank, typeof views>('wss://example.com/live')
 * live.view('mine').subscribe(render)
 * await live.dispatch('transfer', 'a1', 'b2', 10)
 */
export function connect<D extends StoreDefinition<any, any>, V extends ViewsOf>(url: string, options: ConnectOptions = {}): LiveConnection<D, V> {
  return new Connection<D, V>(url, options)
}

class Connection<D extends StoreDefinition<any, any>, V extends ViewsOf> implements LiveConnection<D, V> {
  readonly #url: string
  readonly #factory: SocketFactory
  readonly #retryMs: number
  readonly #maxRetryMs: number
  readonly #keyPrefix = randomId()
  readonly #status = new BehaviorSubject<ConnectionStatus>('connecting')
  readonly #updates = new Subject<LiveUpdate>()
  readonly #views = new Map<string, ClientView<any>>()
  readonly #viewsById = new Map<number, ClientView<any>>()
  readonly #pending = new Map<number, Pending>()
  #socket: SocketLike | null = null
  #nextId = 1
  #attempt = 0
  #retry: ReturnType<typeof setTimeout> | null = null
  #seq = 0
  #lastClose: { code: number; reason: string } | null = null

  constructor(url: string, options: ConnectOptions) {
    const factory = options.WebSocket ?? globalSocket()
    if (factory === null) throw new StoreError('INVALID_DEFINITION', 'connect(): expected a WebSocket implementation (options.WebSocket), found no global WebSocket')
    this.#url = url
    this.#factory = factory
    this.#retryMs = options.retryMs ?? 250
    this.#maxRetryMs = options.maxRetryMs ?? 5000
    this.#open()
  }

  get status(): ConnectionStatus {
    return this.#status.value
  }

  get status$(): Observable<ConnectionStatus> {
    return this.#status.asObservable()
  }

  get updates$(): Observable<LiveUpdate> {
    return this.#updates.asObservable()
  }

  get seq(): number {
    return this.#seq
  }

  get pending(): number {
    return this.#pending.size
  }

  get lastClose(): { code: number; reason: string } | null {
    return this.#lastClose
  }

  view<K extends keyof V & string>(name: K): LiveView<Wire<ReturnType<V[K]>>> {
    let view = this.#views.get(name)
    if (view === undefined) {
      view = new ClientView(name, this.#nextId++)
      this.#views.set(name, view)
      this.#viewsById.set(view.id, view)
      if (this.#status.value === 'open') this.#send(JSON.stringify({ t: 'sub', id: view.id, view: name }))
    }
    return view
  }

  dispatch<K extends keyof Defs<D> & string>(name: K, ...args: TransactionArgs<Defs<D>[K]>): Promise<LiveReceipt<Wire<TransactionResult<Defs<D>[K]>>>> {
    if (this.#status.value === 'closed') return Promise.reject(new StoreError('CONNECTION_CLOSED', `dispatch("${name}") after close(); connect again`, { transaction: name }))
    const id = this.#nextId++
    const text = JSON.stringify({ t: 'tx', id, key: `${this.#keyPrefix}-${id}`, name, args })
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { id, text, resolve: resolve as Pending['resolve'], reject })
      // Sent now if the server is there; otherwise on the next open, with the same key.
      if (this.#status.value === 'open') this.#send(text)
    })
  }

  close(): void {
    if (this.#status.value === 'closed') return
    this.#status.next('closed')
    if (this.#retry) clearTimeout(this.#retry)
    this.#socket?.close(1000, 'client closed')
    this.#socket = null
    for (const pending of this.#pending.values()) pending.reject(new StoreError('CONNECTION_CLOSED', 'the connection was closed before the server answered this dispatch; it may or may not have taken effect'))
    this.#pending.clear()
    for (const view of this.#views.values()) view.complete()
    this.#status.complete()
    this.#updates.complete()
  }

  #open(): void {
    const socket = new this.#factory(this.#url)
    this.#socket = socket
    socket.onmessage = (event: { data: unknown }) => this.#receive(String(event.data))
    socket.onclose = (event: { code: number; reason: string }) => {
      if (this.#socket !== socket) return
      this.#lastClose = { code: event.code, reason: event.reason }
      this.#socket = null
      if (this.#status.value === 'closed') return
      if (this.#status.value !== 'connecting') this.#status.next('connecting')
      const delay = Math.min(this.#maxRetryMs, this.#retryMs * 2 ** this.#attempt++) * (0.5 + Math.random() / 2)
      this.#retry = setTimeout(() => this.#open(), delay)
    }
    socket.onerror = () => {}
  }

  #send(text: string): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(text)
  }

  #receive(text: string): void {
    const message = JSON.parse(text) as ServerMessage
    switch (message.t) {
      case 'hello':
        return this.#ready(message.seq)
      case 'value': {
        const view = this.#viewsById.get(message.id)
        this.#seq = message.seq
        if (view === undefined) return
        view.stage(deepFreeze(message.value), message.seq)
        view.emit()
        return this.#updates.next({ seq: message.seq, views: [view.name] })
      }
      case 'patch': {
        this.#seq = message.seq
        const changed: ClientView<any>[] = []
        for (const [id, ops] of Object.entries(message.p)) {
          const view = this.#viewsById.get(Number(id))
          if (view === undefined || !view.loaded) continue
          view.stage(ops.length === 0 ? view.value : applyPatch(view.value, ops), message.seq)
          changed.push(view)
        }
        // Every view of the commit holds its new value before the first one emits.
        for (const view of changed) view.emit()
        return this.#updates.next({ seq: message.seq, views: changed.map((view) => view.name) })
      }
      case 'ok':
      case 'err': {
        const pending = this.#pending.get(message.id)
        if (pending === undefined) {
          if (message.t === 'err') this.#viewsById.get(message.id)?.fail(toError(message.code, message.message))
          return
        }
        this.#pending.delete(message.id)
        if (message.t === 'ok') pending.resolve({ seq: message.seq, result: message.result, duplicate: message.duplicate })
        else pending.reject(toError(message.code, message.message))
      }
    }
  }

  /** The server accepted us: subscribe (resuming where each view was), then resend what is unanswered. */
  #ready(serverSeq: number): void {
    this.#attempt = 0
    this.#status.next('open')
    // A loaded view resumes from the last seq the connection saw: every change up to it arrived
    // (frames come in commit order, each with every view the commit changed). A server behind
    // that seq (it lost commits it never acknowledged as durable) sends fresh values instead.
    const resume = serverSeq >= this.#seq
    if (!resume) this.#seq = serverSeq
    for (const view of this.#views.values()) this.#send(JSON.stringify({ t: 'sub', id: view.id, view: view.name, ...(view.loaded && resume ? { seq: this.#seq } : {}) }))
    for (const pending of this.#pending.values()) this.#send(pending.text)
  }
}

function toError(code: string, message: string): StoreError {
  return new StoreError(code as StoreErrorCode, message.replace(/^prevalent: /, ''))
}
