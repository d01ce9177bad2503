/** The part of a WebSocket the client uses: the browser's, or the `ws` package's in Node. */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: any) => void) | null
  // `any` events: the browser's and `ws`'s event classes differ; the client reads `data`, `code`, `reason`.
  onmessage: ((event: any) => void) | null
  onclose: ((event: any) => void) | null
  onerror: ((event: any) => void) | null
}

/** A WebSocket constructor (`globalThis.WebSocket` by default). */
export type SocketFactory = new (url: string) => SocketLike

/** The socket is open (WebSocket.OPEN). */
export const OPEN = 1

/** The global WebSocket, or null where there is none (older Node). */
export function globalSocket(): SocketFactory | null {
  return ((globalThis as { WebSocket?: SocketFactory }).WebSocket ?? null)
}

/** A random prefix for idempotency keys: unique per connection object, across page loads. */
export function randomId(): string {
  const bytes = new Uint8Array(12)
  const crypto = (globalThis as { crypto?: { getRandomValues(array: Uint8Array): Uint8Array } }).crypto
  if (crypto) crypto.getRandomValues(bytes)
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
