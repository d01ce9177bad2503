/**
 * The messages of the live protocol (one JSON text frame each); see docs/protocol.md.
 * Types only: shared by the server and the browser client.
 */

/** A path into a view's value: object keys and array indices, from the root. */
export type PatchPath = ReadonlyArray<string | number>

/**
 * One change to a view's value: `set` puts `value` at `path` (the empty path replaces the
 * whole value), `delete` removes an object key, `truncate` shortens an array to `length`.
 */
export type PatchOp =
  | { readonly op: 'set'; readonly path: PatchPath; readonly value: unknown }
  | { readonly op: 'delete'; readonly path: PatchPath }
  | { readonly op: 'truncate'; readonly path: PatchPath; readonly length: number }

/** What a client sends. */
export type ClientMessage =
  /** Subscribe to a view under the client's id `id`; `seq`: the last seq seen of it (resume). */
  | { readonly t: 'sub'; readonly id: number; readonly view: string; readonly seq?: number }
  /** Unsubscribe. */
  | { readonly t: 'unsub'; readonly id: number }
  /** Dispatch a named transaction, once per idempotency `key` however often it is sent. */
  | { readonly t: 'tx'; readonly id: number; readonly key: string; readonly name: string; readonly args: readonly unknown[] }

/** What the server sends. */
export type ServerMessage =
  /** Sent once a connection is authenticated: the store's seq. */
  | { readonly t: 'hello'; readonly seq: number }
  /** A subscription's whole value at `seq`. */
  | { readonly t: 'value'; readonly id: number; readonly seq: number; readonly value: unknown }
  /** The changes of one commit (or of every commit missed, on resume) to the subscriptions by id, up to `seq`. */
  | { readonly t: 'patch'; readonly seq: number; readonly p: Readonly<Record<string, readonly PatchOp[]>> }
  /** A dispatch is durable: its seq and the recipe's result (`duplicate`: a resend of a key already applied). */
  | { readonly t: 'ok'; readonly id: number; readonly seq: number; readonly result: unknown; readonly duplicate: boolean }
  /** A dispatch or a subscription failed: the error's code and message. */
  | { readonly t: 'err'; readonly id: number; readonly code: string; readonly message: string }

/** Close code the server uses when it drops a client that does not read fast enough. */
export const CLOSE_SLOW_CLIENT = 4008
/** Close code the server uses when a client breaks the protocol. */
export const CLOSE_PROTOCOL_ERROR = 4002
/** Close code the server uses when it shuts down. */
export const CLOSE_GOING_AWAY = 1001
