import { BehaviorSubject, Subject, type Observable } from 'rxjs'
import type { StoreDefinition, TransactionArgs, TransactionResult } from '../core/definition.js'
import { StoreError, type StoreErrorCode } from '../core/errors.js'
import { applyPatch, deepFreeze } from './apply-patch.js'
import { ClientView, type LiveView } from './live-view.js'
import type { ConnectionStatus, ConnectOptions, Defs, LiveConnection, LiveReceipt, LiveUpdate, ViewsOf } from './live-connection.js'
import type { ServerMessage } from './protocol.js'
import { globalSocket, OPEN, randomId, type SocketFactory, type SocketLike } from './socket.js'
import type { Wire } from './wire.js'

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
