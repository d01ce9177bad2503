import { closeSync, openSync, readSync, watch, writeSync, type FSWatcher } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import type { AcknowledgedPoint, SegmentSource } from '../core/segment-tail.js'
import type { SegmentInfo } from '../core/storage.js'

/** The file where a writer publishes how far its journal is acknowledged (seq, segment, bytes). */
export const ACKNOWLEDGED_FILE = 'ACKNOWLEDGED'
/** Fixed width, so a rewrite in place never leaves a longer old text behind. */
const WIDTH = 64

/**
 * The writer's side of {@link ACKNOWLEDGED_FILE}: one positioned write per batch, no fsync (it
 * only tells followers on this machine how far they may read; a crash of the machine ends them too).
 * @internal
 */
export class AcknowledgedMarker {
  readonly #fd: number
  readonly #buffer = Buffer.alloc(WIDTH)

  constructor(dir: string) {
    this.#fd = openSync(join(dir, ACKNOWLEDGED_FILE), 'w')
  }

  publish(point: AcknowledgedPoint): void {
    const text = `${point.seq} ${point.firstSeq} ${point.bytes}`
    this.#buffer.fill(0x20)
    this.#buffer.write(text, 0, 'latin1')
    this.#buffer[WIDTH - 1] = 0x0a
    writeSync(this.#fd, this.#buffer, 0, WIDTH, 0)
  }

  close(): void {
    closeSync(this.#fd)
  }
}

/** Reads the marker (null when there is none); a read racing a rewrite is retried until two agree. */
function readMarker(dir: string): AcknowledgedPoint | null {
  let fd: number
  try {
    fd = openSync(join(dir, ACKNOWLEDGED_FILE), 'r')
  } catch {
    return null
  }
  try {
    const a = Buffer.alloc(WIDTH)
    const b = Buffer.alloc(WIDTH)
    for (let attempt = 0; attempt < 100; attempt++) {
      const n = readSync(fd, a, 0, WIDTH, 0)
      readSync(fd, b, 0, WIDTH, 0)
      if (n === WIDTH && a.equals(b)) {
        const [seq, firstSeq, bytes] = a.toString('latin1').trim().split(' ').map(Number)
        if (Number.isSafeInteger(seq) && Number.isSafeInteger(firstSeq) && Number.isSafeInteger(bytes)) return { seq, firstSeq, bytes }
      }
    }
    return null
  } finally {
    closeSync(fd)
  }
}

/**
 * A store directory as a {@link SegmentSource}, for followers in any process on this machine:
 * woken by a watch on the directory (the marker changes at every acknowledged batch), and by a
 * poll every `pollMs` in case the watch misses something (network file systems, overflows).
 * @internal
 */
export function directorySource(dir: string, listSegments: () => Promise<SegmentInfo[]>, pollMs: number, signal: AbortSignal): SegmentSource {
  let woken = false
  let wake: (() => void) | null = null
  const poke = (): void => {
    woken = true
    wake?.()
  }
  // Watching starts before the first read, so no change after that read goes unnoticed.
  let watcher: FSWatcher | null = null
  try {
    watcher = watch(dir, { persistent: false }, poke)
    watcher.on('error', () => undefined)
  } catch {
    // No watch here (the directory is missing, or the platform has none): the poll remains.
  }
  signal.addEventListener('abort', () => watcher?.close(), { once: true })
  return {
    acknowledged: async () => readMarker(dir),
    segments: listSegments,
    async readBytes(segment, from, to) {
      let handle
      try {
        handle = await open(segment.location, 'r')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw error
      }
      try {
        const size = (await handle.stat()).size
        const length = Math.max(0, Math.min(to, size) - from)
        const buffer = Buffer.allocUnsafe(length)
        let read = 0
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, from + read)
          if (bytesRead === 0) break
          read += bytesRead
        }
        return buffer.subarray(0, read)
      } finally {
        await handle.close()
      }
    },
    wait() {
      return new Promise<void>((resolve) => {
        if (woken || signal.aborted) {
          woken = false
          return resolve()
        }
        const timer = setTimeout(done, pollMs)
        function done(): void {
          clearTimeout(timer)
          signal.removeEventListener('abort', done)
          wake = null
          woken = false
          resolve()
        }
        wake = done
        signal.addEventListener('abort', done, { once: true })
      })
    },
  }
}
