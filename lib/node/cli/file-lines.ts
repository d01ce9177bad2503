import { open } from 'node:fs/promises'
import type { LineSource, MeasuredChunk } from '../../core/journal-scan.js'

const READ_CHUNK = 1 << 20

/**
 * Reads a journal file read-only (no lock) as lines with their exact byte lengths, taken from
 * the raw bytes: a line of invalid UTF-8 does not shift the offsets of the lines after it.
 * @internal
 */
export class FileLines implements LineSource {
  constructor(readonly file: string) {}

  async *read(): AsyncIterable<MeasuredChunk> {
    const handle = await open(this.file, 'r')
    try {
      const buffer = Buffer.allocUnsafe(READ_CHUNK)
      let carry = Buffer.alloc(0)
      let position = 0
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null)
        if (bytesRead === 0) break
        const data = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead)
        const last = data.lastIndexOf(0x0a)
        if (last < 0) {
          carry = Buffer.from(data)
          continue
        }
        // A line break byte never sits inside a UTF-8 sequence, valid or not, so splitting the
        // decoded text on '\n' gives the same lines as splitting the bytes.
        const byteLengths: number[] = []
        for (let start = 0; start <= last; ) {
          const end = data.indexOf(0x0a, start)
          byteLengths.push(end - start + 1)
          start = end + 1
        }
        const chunk: MeasuredChunk = { offset: position, lines: data.toString('utf8', 0, last).split('\n'), byteLengths }
        position += last + 1
        carry = Buffer.from(data.subarray(last + 1))
        yield chunk
      }
      if (carry.length > 0) yield { offset: position, lines: [], tail: { offset: position, text: carry.toString('utf8') }, tailBytes: carry.length }
    } finally {
      await handle.close()
    }
  }
}
