import type { WebSocket } from 'ws'
import { CLOSE_PROTOCOL_ERROR, CLOSE_SLOW_CLIENT, type ClientMessage, type ServerMessage } from '../client/protocol.js'
import type { Subscriber } from './groups.js'

/** What a connection asks of the server it belongs to. @internal */
export interface ConnectionHost {
  subscribe(connection: LiveConnection, subscriber: Subscriber, view: string, seq: number | undefined): void
  unsubscribe(subscriber: Subscriber): void
  dispatch(connection: LiveConnection, id: number, key: string, name: string, args: unknown[]): void
  closed(connection: LiveConnection, code: number, reason: string): void
}

/** Limits of one connection. @internal */
export interface ConnectionLimits {
  readonly maxBufferedBytes: number
  readonly maxSubscriptions: number
  readonly maxPendingDispatches: number
}

/**
 * One client: its identity, its subscriptions, the patch frame being gathered for the current
 * commit, and a send that drops the client rather than buffer more than its limit.
 * @internal
 */
export class LiveConnection {
  readonly identity: unknown
  readonly #socket: WebSocket
  readonly #host: ConnectionHost
  readonly #limits: ConnectionLimits
  readonly #subscriptions = new Map<number, Subscriber>()
  #parts: string[] = []
  #closed = false
  /** Dispatches sent and not yet answered. */
  pending = 0
  /** False until a pong answers the last ping. */
  alive = true

  constructor(socket: WebSocket, identity: unknown, host: ConnectionHost, limits: ConnectionLimits) {
    this.#socket = socket
    this.identity = identity
    this.#host = host
    this.#limits = limits
    socket.on('message', (data, isBinary) => this.#receive(isBinary ? null : data.toString()))
    socket.on('pong', () => (this.alive = true))
    socket.on('close', (code, reason) => this.#end(code, reason.toString()))
    socket.on('error', (error) => this.#end(1006, error.message))
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Queues one subscription's patch for this commit's frame. */
  readonly queue = (id: number, opsJson: string): void => {
    this.#parts.push(`"${id}":${opsJson}`)
  }

  /** Tells the client a subscription failed and forgets it. */
  readonly fail = (id: number, code: string, message: string): void => {
    this.#subscriptions.delete(id)
    this.send({ t: 'err', id, code, message })
  }

  /** Whether patches are gathered for this commit's frame. */
  get hasParts(): boolean {
    return this.#parts.length > 0
  }

  /**
   * Sends this commit's patches as one frame: the client sees the commit whole. Connections
   * whose frame is the same (the same views under the same ids) share one encoded buffer.
   */
  flush(seq: number, frames: Map<string, Buffer>): void {
    const body = this.#parts.length === 1 ? this.#parts[0] : this.#parts.join(',')
    this.#parts = []
    let frame = frames.get(body)
    if (frame === undefined) {
      frame = Buffer.from(`{"t":"patch","seq":${seq},"p":{${body}}}`)
      frames.set(body, frame)
    }
    this.sendText(frame)
  }

  send(message: ServerMessage): void {
    this.sendText(JSON.stringify(message))
  }

  /** Sends a frame, or drops the client when it already has more than its limit waiting. */
  sendText(text: string | Buffer): void {
    if (this.#closed) return
    const waiting = this.#socket.bufferedAmount
    if (waiting + text.length > this.#limits.maxBufferedBytes) {
      this.close(CLOSE_SLOW_CLIENT, `slow client: ${waiting} bytes still waiting to be sent, the limit is ${this.#limits.maxBufferedBytes}`)
      return
    }
    // A buffer goes out as a text frame too (it holds JSON).
    this.#socket.send(text, { binary: false })
  }

  /** Pings the client; one that did not answer the previous ping is cut off. */
  ping(): void {
    if (!this.alive) {
      this.#socket.terminate()
      return
    }
    this.alive = false
    this.#socket.ping()
  }

  close(code: number, reason: string): void {
    if (this.#closed) return
    // Close frames carry at most 123 bytes of reason.
    this.#socket.close(code, reason.slice(0, 120))
    this.#end(code, reason)
  }

  #end(code: number, reason: string): void {
    if (this.#closed) return
    this.#closed = true
    this.#parts = []
    for (const subscriber of this.#subscriptions.values()) this.#host.unsubscribe(subscriber)
    this.#subscriptions.clear()
    this.#host.closed(this, code, reason)
  }

  #receive(text: string | null): void {
    if (this.#closed) return
    const message = parse(text)
    if (typeof message === 'string') return this.close(CLOSE_PROTOCOL_ERROR, message)
    if (message.t === 'unsub') {
      const subscriber = this.#subscriptions.get(message.id)
      if (subscriber) this.#host.unsubscribe(subscriber)
      this.#subscriptions.delete(message.id)
    } else if (message.t === 'sub') {
      if (this.#subscriptions.has(message.id)) return this.close(CLOSE_PROTOCOL_ERROR, `subscription id ${message.id} is already in use`)
      if (this.#subscriptions.size >= this.#limits.maxSubscriptions) return this.send({ t: 'err', id: message.id, code: 'TOO_MANY_SUBSCRIPTIONS', message: `a connection may hold ${this.#limits.maxSubscriptions} subscriptions` })
      const subscriber: Subscriber = { id: message.id, queue: this.queue, fail: this.fail }
      this.#subscriptions.set(message.id, subscriber)
      this.#host.subscribe(this, subscriber, message.view, message.seq)
    } else {
      if (this.pending >= this.#limits.maxPendingDispatches) return this.send({ t: 'err', id: message.id, code: 'QUEUE_FULL', message: `a connection may have ${this.#limits.maxPendingDispatches} dispatches waiting for their answer; wait for one before sending more` })
      this.#host.dispatch(this, message.id, message.key, message.name, message.args as unknown[])
    }
  }

  /** Forgets a subscription the server could not start. */
  forget(id: number): void {
    this.#subscriptions.delete(id)
  }
}

/** A client message checked for shape, or the reason it is refused. */
function parse(text: string | null): ClientMessage | string {
  if (text === null) return 'expected text frames (JSON), got a binary frame'
  let message: any
  try {
    message = JSON.parse(text)
  } catch {
    return `expected a JSON message, got ${JSON.stringify(text.slice(0, 40))}`
  }
  const id = message?.id
  if (!Number.isSafeInteger(id)) return `expected a message with an integer "id", got ${JSON.stringify(text.slice(0, 60))}`
  switch (message.t) {
    case 'sub':
      if (typeof message.view !== 'string') return `"sub" ${id}: expected a view name, got ${typeof message.view}`
      if (message.seq !== undefined && !Number.isSafeInteger(message.seq)) return `"sub" ${id}: expected an integer seq, got ${JSON.stringify(message.seq)}`
      return message
    case 'unsub':
      return message
    case 'tx':
      if (typeof message.name !== 'string' || typeof message.key !== 'string' || !Array.isArray(message.args)) return `"tx" ${id}: expected a name, a key and an args array`
      return message
    default:
      return `expected a message of type "sub", "unsub" or "tx", got ${JSON.stringify(message.t)}`
  }
}
