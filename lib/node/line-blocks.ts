import { open } from 'node:fs/promises'

const READ_CHUNK = 1 << 20

/** A run of complete lines as raw bytes (`data` ends with `\n`), or the incomplete text after the last one. */
export type LineBlock =
  | { readonly offset: number; readonly data: Buffer; readonly tail?: undefined }
  | { readonly offset: number; readonly data?: undefined; readonly tail: Buffer }

/**
 * Reads a file in pieces of 1 MiB and yields runs of whole lines (a line longer than a piece
 * is carried over, as a list of pieces joined once it is whole: linear in its length), then
 * the bytes after the last line break, if any.
 * A missing file throws what `missing` makes of it, when given (else the ENOENT error).
 * @internal
 */
export async function* lineBlocks(file: string, missing?: (file: string) => Error): AsyncGenerator<LineBlock> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    if (missing && (error as NodeJS.ErrnoException).code === 'ENOENT') throw missing(file)
    throw error
  }
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK)
    // The start of a line not yet whole, piece by piece (copied: `buffer` is reused by the next read).
    let carry: Buffer[] = []
    let position = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null)
      if (bytesRead === 0) break
      const data = buffer.subarray(0, bytesRead)
      const last = data.lastIndexOf(0x0a)
      if (last < 0) {
        carry.push(Buffer.from(data))
        continue
      }
      const whole = data.subarray(0, last + 1)
      const block = { offset: position, data: carry.length > 0 ? Buffer.concat([...carry, whole]) : Buffer.from(whole) }
      position += block.data.length
      carry = last + 1 < data.length ? [Buffer.from(data.subarray(last + 1))] : []
      yield block
    }
    if (carry.length > 0) yield { offset: position, tail: carry.length === 1 ? carry[0] : Buffer.concat(carry) }
  } finally {
    await handle.close()
  }
}

/** The lines of a block, without their line breaks. A line break byte never sits inside a UTF-8 sequence, so splitting the text splits the bytes. @internal */
export function blockLines(data: Buffer): string[] {
  return data.toString('utf8', 0, data.length - 1).split('\n')
}
