import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Subscription } from 'rxjs'
import { WebSocketServer } from 'ws'
import type { RefValues, Transactions } from '../core/definition.js'
import { StoreError } from '../core/errors.js'
import type { Frozen } from '../core/state-types.js'
import type { Store } from '../core/store-api.js'
import { CLOSE_GOING_AWAY } from '../client/protocol.js'
import { LiveConnection, type ConnectionHost } from './connection.js'
import { ViewGroup, type Subscriber } from './groups.js'
import { StateHistory } from './history.js'
import { diff } from './diff.js'
import { toWire } from './to-wire.js'

/** Options of {@link serveStore}. */
export interface ServeOptions<S extends RefValues, T extends Transactions<S>, I> {
  /** The store to serve. */
  readonly store: Store<S, T>
  /** The views clients may subscribe to, by name (see `defineViews`). */
  readonly views: Readonly<Record<string, (state: Frozen<S>, identity: I) => unknown>>
  /**
   * Who is connecting, from the upgrade request (a cookie, a header, a token in the URL):
   * the identity, or null/undefined (or a throw) to refuse. A refused request gets HTTP 401
   * and no WebSocket: nothing of the store is sent.
   */
  readonly authenticate: (request: IncomingMessage) => I | null | undefined | Promise<I | null | undefined>
  /**
   * Whether `identity` may run transaction `name` with `args` (as the client sent them, not
   * yet checked), on the state as it is now. A refusal answers `UNAUTHORIZED`.
   */
  readonly authorize: (identity: I, name: keyof T & string, args: readonly unknown[], state: Frozen<S>) => boolean | Promise<boolean>
  /** The URL path of the WebSocket endpoint (default `/live`); upgrades to other paths are left alone. */
  readonly path?: string
  /** Identities with the same key share view computations (default `JSON.stringify`). */
  readonly identityKey?: (identity: I) => string
  /** Bytes that may wait to be sent to one client before it is dropped as slow (close code 4008; default 4 MiB). */
  readonly maxBufferedBytes?: number
  /** Largest message a client may send (default 1 MiB). */
  readonly maxMessageBytes?: number
  /** Subscriptions one connection may hold (default 100). */
  readonly maxSubscriptions?: number
  /** Dispatches one connection may have waiting for their answer (default 100). */
  readonly maxPendingDispatches?: number
  /** How many commits back a reconnecting client is sent patches (default 10,000); beyond, a fresh value. */
  readonly resumeWindow?: number
  /** Told when a connection ends: its identity, the close code and reason (4008: dropped as slow). */
  readonly onDisconnect?: (identity: I, code: number, reason: string) => void
  /** Milliseconds between pings; a client that misses one is cut off (default 30,000). */
  readonly pingIntervalMs?: number
}

/** A store served over WebSocket, returned by {@link serveStore}. */
export interface LiveServer {
  /** Clients connected now. */
  readonly connections: number
  /** Closes every connection (code 1001) and stops serving; the store and the HTTP server stay open. */
  close(): Promise<void>
}

/**
 * Serves a store's views to WebSocket clients on an HTTP server (protocol: docs/protocol.md).
 * Each client gets its views' values, then one patch frame per commit that changed them, in
 * commit order; its dispatches go through `authorize`, then `dispatchOnce` with the client's
 * idempotency key, and are answered once durable.
 *
 * @example
 * const server = http.createServer(serveStatic)
 * serveStore(server, { store, views, authenticate: (req) => userFromCookie(req), authorize: (user, name, args) => name === 'transfer' && owns(user, args[0]) })
 * server.listen(8080)
 */
export function serveStore<S extends RefValues, T extends Transactions<S>, I>(server: Server, options: ServeOptions<S, T, I>): LiveServer {
  return new StoreServer(server, options)
}

class StoreServer<S extends RefValues, T extends Transactions<S>, I> implements LiveServer, ConnectionHost {
  readonly #options: ServeOptions<S, T, I>
  readonly #server: Server
  readonly #wss: WebSocketServer
  readonly #connections = new Set<LiveConnection>()
  readonly #groups = new Map<string, ViewGroup<Frozen<S>>>()
  readonly #groupOf = new Map<Subscriber, ViewGroup<Frozen<S>>>()
  readonly #history: StateHistory<Frozen<S>>
  readonly #states: Subscription
  readonly #pinger: ReturnType<typeof setInterval>
  readonly #limits
  #state: Frozen<S>
  #seq: number

  constructor(server: Server, options: ServeOptions<S, T, I>) {
    this.#options = options
    this.#server = server
    this.#limits = { maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024, maxSubscriptions: options.maxSubscriptions ?? 100, maxPendingDispatches: options.maxPendingDispatches ?? 100 }
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 1024 * 1024, perMessageDeflate: false })
    this.#history = new StateHistory(options.resumeWindow ?? 10_000)
    this.#state = options.store.state
    this.#seq = options.store.seq
    // state$ emits once per committed batch, after the refs show it and before any dispatch of
    // it resolves: every client's patches go out in commit order, ahead of the answers.
    this.#states = options.store.state$.subscribe({ next: (state) => this.#commit(state), complete: () => void this.close() })
    server.on('upgrade', this.#onUpgrade)
    this.#pinger = setInterval(() => {
      for (const connection of this.#connections) connection.ping()
    }, options.pingIntervalMs ?? 30_000)
    this.#pinger.unref?.()
  }

  get connections(): number {
    return this.#connections.size
  }

  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = this.#options.path ?? '/live'
    if (new URL(request.url ?? '/', 'http://x').pathname !== path) return
    void this.#authenticate(request).then((identity) => {
      if (socket.destroyed) return
      if (identity === null || identity === undefined) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        return
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => {
        const connection = new LiveConnection(ws, identity, this, this.#limits)
        this.#connections.add(connection)
        connection.send({ t: 'hello', seq: this.#seq })
      })
    })
  }

  async #authenticate(request: IncomingMessage): Promise<I | null | undefined> {
    try {
      return await this.#options.authenticate(request)
    } catch {
      return null
    }
  }

  #commit(state: Frozen<S>): void {
    const seq = this.#options.store.seq
    const previous = this.#state
    this.#state = state
    this.#seq = seq
    this.#history.push(seq, state)
    if (state === previous) return
    for (const group of this.#groups.values()) group.update(state)
    const frames = new Map<string, Buffer>()
    for (const connection of this.#connections) if (connection.hasParts) connection.flush(seq, frames)
  }

  subscribe(connection: LiveConnection, subscriber: Subscriber, view: string, seq: number | undefined): void {
    const fn = Object.hasOwn(this.#options.views, view) ? this.#options.views[view] : undefined
    if (fn === undefined) {
      connection.forget(subscriber.id)
      return connection.send({ t: 'err', id: subscriber.id, code: 'UNKNOWN_VIEW', message: `expected one of the views (${Object.keys(this.#options.views).join(', ')}), got ${JSON.stringify(view)}` })
    }
    const key = `${view}\u0000${(this.#options.identityKey ?? JSON.stringify)(connection.identity as I)}`
    let group = this.#groups.get(key)
    try {
      if (group === undefined) {
        group = new ViewGroup(key, fn as (state: Frozen<S>, identity: unknown) => unknown, connection.identity, this.#state)
        this.#groups.set(key, group)
      }
      group.subscribers.add(subscriber)
      this.#groupOf.set(subscriber, group)
      const before = seq === undefined || seq > this.#seq ? null : this.#history.at(seq)
      if (before === null) return connection.send({ t: 'value', id: subscriber.id, seq: this.#seq, value: toWire(group.value) ?? null })
      // Resume: what changed between the client's seq and now, as one patch, unless the whole value is smaller.
      const ops = JSON.stringify(diff(group.valueAt(before), group.value))
      const value = JSON.stringify(toWire(group.value) ?? null)
      if (ops.length > value.length) return connection.sendText(`{"t":"value","id":${subscriber.id},"seq":${this.#seq},"value":${value}}`)
      connection.sendText(`{"t":"patch","seq":${this.#seq},"p":{"${subscriber.id}":${ops}}}`)
    } catch (error) {
      this.unsubscribe(subscriber)
      connection.forget(subscriber.id)
      connection.send({ t: 'err', id: subscriber.id, code: 'VIEW_FAILED', message: `view "${view}" failed: ${(error as Error)?.message ?? String(error)}` })
    }
  }

  unsubscribe(subscriber: Subscriber): void {
    const group = this.#groupOf.get(subscriber)
    if (group === undefined) return
    this.#groupOf.delete(subscriber)
    group.subscribers.delete(subscriber)
    if (group.subscribers.size === 0) this.#groups.delete(group.key)
  }

  dispatch(connection: LiveConnection, id: number, key: string, name: string, args: unknown[]): void {
    connection.pending++
    void this.#run(connection, id, key, name, args).then(
      ({ seq, result, duplicate }) => connection.send({ t: 'ok', id, seq, result: toWire(result) ?? null, duplicate }),
      (error: unknown) => connection.send({ t: 'err', id, ...describe(error) }),
    ).finally(() => connection.pending--)
  }

  async #run(connection: LiveConnection, id: number, key: string, name: string, args: unknown[]) {
    const { store, authorize } = this.#options
    let allowed: boolean
    try {
      allowed = (await authorize(connection.identity as I, name as keyof T & string, args, this.#state)) === true
    } catch (error) {
      throw new StoreError('UNAUTHORIZED', `dispatch("${name}"): authorize threw (${(error as Error)?.message ?? String(error)}); refused`, { transaction: name })
    }
    if (!allowed) throw new StoreError('UNAUTHORIZED', `dispatch("${name}"): this connection may not run it with these arguments`, { transaction: name })
    return store.dispatchOnce(key, name as keyof T & string, ...(args as never))
  }

  closed(connection: LiveConnection, code: number, reason: string): void {
    this.#connections.delete(connection)
    this.#options.onDisconnect?.(connection.identity as I, code, reason)
  }

  async close(): Promise<void> {
    this.#server.off('upgrade', this.#onUpgrade)
    this.#states.unsubscribe()
    clearInterval(this.#pinger)
    for (const connection of [...this.#connections]) connection.close(CLOSE_GOING_AWAY, 'server closing')
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
  }
}

/** The code and message a client is told for a failed dispatch. */
function describe(error: unknown): { code: string; message: string } {
  if (error instanceof StoreError) return { code: error.code, message: error.message }
  // A recipe that threw: its class name and message (e.g. a declined transfer).
  const name = (error as Error)?.name ?? 'Error'
  return { code: 'TRANSACTION_FAILED', message: `${name}: ${(error as Error)?.message ?? String(error)}` }
}
