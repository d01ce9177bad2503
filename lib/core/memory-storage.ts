import { StoreError } from './errors.js'
import type { JournalChunk, JournalStorage } from './storage.js'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/**
 * A journal kept in memory, for specs and for trying things out. It keeps apart what was
 * appended and what was synced, so {@link MemoryJournalStorage.crash} can simulate power loss.
 * Offsets are UTF-8 byte offsets, as in the file journal.
 *
 * @example
 * const storage = new MemoryJournalStorage()
 * const store = await createStore(definition, { storage })
 */
export class MemoryJournalStorage implements JournalStorage {
  readonly location: string
  #bytes: Uint8Array = new Uint8Array(0)
  #pending: string[] = []
  #synced = 0
  #writer = false
  #open = false

  constructor(location = 'memory') {
    this.location = location
  }

  /** Everything appended so far, durable or not. */
  get text(): string {
    this.#flush()
    return fromUtf8.decode(this.#bytes)
  }

  /** Number of bytes made durable by {@link sync}. */
  get syncedLength(): number {
    return this.#synced
  }

  /** Replaces the whole content, as if the file had been edited (for damage specs). */
  setText(text: string): void {
    this.#pending = []
    this.#bytes = utf8.encode(text)
    this.#synced = this.#bytes.length
  }

  /** A new storage holding only what was synced here: what survives a power loss. */
  crash(): MemoryJournalStorage {
    this.#flush()
    const survivor = new MemoryJournalStorage(this.location)
    survivor.#bytes = this.#bytes.slice(0, this.#synced)
    survivor.#synced = this.#synced
    return survivor
  }

  async open({ write }: { write: boolean }): Promise<void> {
    if (write && this.#writer) throw new StoreError('LOCKED', `journal ${this.location} is already open for writing in this process`, { location: this.location })
    this.#writer ||= write
    this.#open = true
  }

  async *read(): AsyncIterable<JournalChunk> {
    this.#flush()
    const bytes = this.#bytes
    const end = bytes.lastIndexOf(0x0a) + 1
    const text = fromUtf8.decode(bytes.subarray(0, end))
    const lines = end === 0 ? [] : text.slice(0, -1).split('\n')
    const tail = end < bytes.length ? { offset: end, text: fromUtf8.decode(bytes.subarray(end)) } : undefined
    yield tail ? { offset: 0, lines, tail } : { offset: 0, lines }
  }

  async truncate(offset: number): Promise<void> {
    this.#flush()
    this.#bytes = this.#bytes.slice(0, offset)
    this.#synced = Math.min(this.#synced, offset)
  }

  async append(text: string): Promise<void> {
    if (!this.#open) throw new Error('append on a closed memory journal')
    this.#pending.push(text)
  }

  async sync(): Promise<void> {
    this.#flush()
    this.#synced = this.#bytes.length
  }

  async close(): Promise<void> {
    this.#writer = false
    this.#open = false
  }

  #flush(): void {
    if (this.#pending.length === 0) return
    const added = utf8.encode(this.#pending.join(''))
    this.#pending = []
    const next = new Uint8Array(this.#bytes.length + added.length)
    next.set(this.#bytes)
    next.set(added, this.#bytes.length)
    this.#bytes = next
  }
}
