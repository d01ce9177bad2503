import type { JournalChunk, JournalStorage } from './storage.js'

/** The errno codes a {@link FaultInjectingStorage} raises, as a disk would. */
export type FaultCode = 'EIO' | 'ENOSPC'

/**
 * One planned failure. Calls are counted per wrapper from 1, separately for `append` and
 * `sync`; `'any'` counts both together (the k-th write operation of either kind).
 *
 * @example
 * // The 3rd append writes its first 10 bytes, then fails with EIO; later appends succeed.
 * storage.inject({ on: 'append', at: 3, code: 'EIO', tearAfterBytes: 10 })
 * // Every sync from the 2nd on fails with ENOSPC.
 * storage.inject({ on: 'sync', at: 2, repeat: true, code: 'ENOSPC' })
 */
export interface Fault {
  /** Which operation fails. */
  readonly on: 'append' | 'sync' | 'any'
  /** The 1-based number of the first failing call of that operation. */
  readonly at: number
  /** `false` (default): only that call fails. `true`: it and every later one fail. */
  readonly repeat?: boolean
  /** The errno code of the error (default `'EIO'`). */
  readonly code?: FaultCode
  /**
   * For appends only: write this many bytes of the text first (fewer if the text is shorter,
   * never splitting a character), then fail: a torn write.
   */
  readonly tearAfterBytes?: number
}

/** How many faults a {@link FaultInjectingStorage} has injected, by kind. */
export interface FaultCounts {
  /** Appends or syncs failed with `EIO` (torn ones included). */
  EIO: number
  /** Appends or syncs failed with `ENOSPC` (torn ones included). */
  ENOSPC: number
  /** Appends that wrote a prefix before failing. */
  torn: number
  /** Simulated power losses. */
  powerLoss: number
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** An errno-style error as Node's file system raises it. */
function ioError(code: FaultCode, operation: string): Error & { code: string; syscall: string } {
  const text = code === 'EIO' ? 'i/o error' : 'no space left on device'
  return Object.assign(new Error(`${code}: ${text} (injected fault), ${operation}`), { code, syscall: operation === 'sync' ? 'fdatasync' : 'write' })
}

/**
 * A test kit storage: wraps any {@link JournalStorage} and fails chosen appends or syncs the
 * way a disk does (`EIO`, `ENOSPC`), tears an append after N bytes, or simulates a power loss
 * (everything not yet synced is dropped). Use it to prove that your own store definition
 * loses nothing acknowledged when the disk misbehaves.
 *
 * Power loss needs the wrapped storage's offsets to be bytes (the file and memory storages'
 * are): the wrapper counts the UTF-8 bytes read at open and appended since, and remembers how
 * many were synced.
 *
 * @example
 * const inner = new MemoryJournalStorage()
 * const storage = new FaultInjectingStorage(inner)
 * const store = await createStore(definition, { storage })
 * storage.inject({ on: 'sync', at: 1, code: 'EIO' })
 * await store.dispatch('add', 1, 2)          // rejects: WRITE_FAILED (EIO); the store halts
 * await storage.powerLoss()                  // the unsynced entry is gone
 * await store.close()
 * const reopened = await createStore(definition, { storage: inner })  // the acknowledged state
 */
export class FaultInjectingStorage implements JournalStorage {
  /** The wrapped storage. */
  readonly inner: JournalStorage
  /** Faults injected so far, by kind. */
  readonly injected: FaultCounts = { EIO: 0, ENOSPC: 0, torn: 0, powerLoss: 0 }
  #faults: Fault[] = []
  #appends = 0
  #syncs = 0
  /** Bytes stored (null until known: measured by a read), and how many of them were synced. */
  #length: number | null = null
  #synced = 0
  #writing = false
  #dead = false
  /** What was appended since the last sync (a power loss may leave it half on disk). */
  #unsynced: string[] = []

  constructor(inner: JournalStorage) {
    this.inner = inner
  }

  get location(): string {
    return this.inner.location
  }

  /** Number of appends called so far (failed ones included). */
  get appends(): number {
    return this.#appends
  }

  /** Number of syncs called so far (failed ones included). */
  get syncs(): number {
    return this.#syncs
  }

  /** Number of appends and syncs called so far: what a fault `on: 'any'` counts. */
  get operations(): number {
    return this.#appends + this.#syncs
  }

  /** Bytes made durable by a successful sync (or present when the storage was read). */
  get syncedLength(): number {
    return this.#synced
  }

  /**
   * Plans a failure; several may be planned at once. The fault fires when its call number
   * comes (counted from this wrapper's creation, see {@link appends}, {@link syncs}).
   * @throws RangeError when `at` is not a positive integer or `tearAfterBytes` is negative.
   */
  inject(fault: Fault): this {
    if (!Number.isSafeInteger(fault.at) || fault.at < 1) throw new RangeError(`FaultInjectingStorage.inject: expected "at" to be a positive integer call number, got ${String(fault.at)}`)
    if (fault.tearAfterBytes !== undefined && !(fault.tearAfterBytes >= 0)) throw new RangeError(`FaultInjectingStorage.inject: expected "tearAfterBytes" to be a byte count >= 0, got ${String(fault.tearAfterBytes)}`)
    this.#faults.push(fault)
    return this
  }

  /** Removes every planned fault: the disk is healthy again (a power loss still needs a reopen). */
  clear(): this {
    this.#faults = []
    return this
  }

  /**
   * Simulates a power loss: the wrapped storage is cut back to the length it had at its last
   * successful sync, and this wrapper fails every append and sync (`EIO`) until it is opened
   * again, as a process that lost its disk would.
   *
   * With `zeroFirstPage`, the data written since the last sync stays, except that the part of
   * it in its first page (of `pageSize` bytes, default 4096) reads back as zero bytes: the
   * file grew, but that page never reached the disk (unsynced text is assumed to be ASCII).
   */
  async powerLoss(options: { zeroFirstPage?: boolean; pageSize?: number } = {}): Promise<void> {
    this.injected.powerLoss++
    this.#dead = true
    await this.#measure()
    const keep = this.#synced
    const unsynced = this.#unsynced.join('')
    this.#unsynced = []
    let image = ''
    if (options.zeroFirstPage && unsynced !== '') {
      const page = options.pageSize ?? 4096
      const zeros = Math.min((Math.floor(keep / page) + 1) * page - keep, unsynced.length)
      image = '\0'.repeat(zeros) + unsynced.slice(zeros)
    }
    const cut = async (): Promise<void> => {
      await this.inner.truncate(keep)
      if (image === '') return
      await this.inner.append(image)
      await this.inner.sync()
    }
    if (this.#writing) {
      await cut()
    } else {
      // The writer is gone: cut the data the way the next opener would find it.
      await this.inner.open({ write: true })
      try {
        await cut()
      } finally {
        await this.inner.close()
      }
    }
    this.#length = keep + utf8.encode(image).length
    this.#synced = this.#length
  }

  async open(mode: { write: boolean }): Promise<void> {
    await this.inner.open(mode)
    this.#dead = false
    this.#writing ||= mode.write
  }

  async *read(): AsyncIterable<JournalChunk> {
    let end = 0
    for await (const chunk of this.inner.read()) {
      end = chunk.offset
      for (const line of chunk.lines) end += utf8.encode(line).length + 1
      if (chunk.tail) end = chunk.tail.offset + utf8.encode(chunk.tail.text).length
      yield chunk
    }
    // What was there at open survived whatever came before: count it as synced.
    this.#length = end
    this.#synced = end
  }

  async keepAside(offset: number): Promise<string> {
    return (await this.inner.keepAside?.(offset)) ?? ''
  }

  async truncate(offset: number): Promise<void> {
    await this.inner.truncate(offset)
    this.#unsynced = []
    // A truncate is durable when it resolves (the storage contract).
    this.#length = offset
    this.#synced = offset
  }

  async append(text: string): Promise<void> {
    const call = ++this.#appends
    if (this.#dead) throw ioError('EIO', 'append after a simulated power loss')
    await this.#measure()
    const fault = this.#due('append', call)
    if (!fault) return this.#write(text)
    const code = fault.code ?? 'EIO'
    this.injected[code]++
    if (fault.tearAfterBytes !== undefined) {
      this.injected.torn++
      const prefix = bytePrefix(text, fault.tearAfterBytes)
      if (prefix !== '') await this.#write(prefix)
    }
    throw ioError(code, `append #${call} to ${this.location}`)
  }

  async sync(): Promise<void> {
    const call = ++this.#syncs
    if (this.#dead) throw ioError('EIO', 'sync after a simulated power loss')
    const fault = this.#due('sync', call)
    if (fault) {
      const code = fault.code ?? 'EIO'
      this.injected[code]++
      throw ioError(code, `sync #${call} of ${this.location}`)
    }
    await this.inner.sync()
    this.#synced = this.#length ?? this.#synced
    this.#unsynced = []
  }

  async close(): Promise<void> {
    this.#writing = false
    await this.inner.close()
  }

  async #write(text: string): Promise<void> {
    await this.inner.append(text)
    this.#unsynced.push(text)
    this.#length = (this.#length ?? 0) + utf8.encode(text).length
  }

  /** Learns the stored length when nothing was read since open (appends come after a read by contract). */
  async #measure(): Promise<void> {
    if (this.#length !== null) return
    for await (const _ of this.read()) {
      // read() records the length as it goes.
    }
  }

  #due(operation: 'append' | 'sync', call: number): Fault | undefined {
    const any = this.#appends + this.#syncs
    return this.#faults.find((f) => {
      const n = f.on === 'any' ? any : f.on === operation ? call : -1
      if (n < 0) return false
      return f.repeat ? n >= f.at : n === f.at
    })
  }
}

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes that does not split a character. */
function bytePrefix(text: string, bytes: number): string {
  const encoded = utf8.encode(text)
  if (bytes >= encoded.length) return text
  let end = bytes
  // Back off over continuation bytes (10xxxxxx) so the cut falls between characters.
  while (end > 0 && (encoded[end] & 0xc0) === 0x80) end--
  return fromUtf8.decode(encoded.subarray(0, end))
}
