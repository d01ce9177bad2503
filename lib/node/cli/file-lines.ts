import type { LineSource, MeasuredChunk } from '../../core/journal-scan.js'
import { blockLines, lineBlocks } from '../line-blocks.js'
import { CliError } from './cli-error.js'

/**
 * Reads a journal file read-only (no lock) as lines with their exact byte lengths, taken from
 * the raw bytes: a line of invalid UTF-8 does not shift the offsets of the lines after it.
 * @internal
 */
export class FileLines implements LineSource {
  constructor(readonly file: string) {}

  async *read(): AsyncIterable<MeasuredChunk> {
    for await (const block of lineBlocks(this.file, (file) => new CliError(`${file} was removed while it was being read (the writer pruned it after a newer snapshot); run the command again`))) {
      if (block.tail) {
        yield { offset: block.offset, lines: [], tail: { offset: block.offset, text: block.tail.toString('utf8') }, tailBytes: block.tail.length }
        continue
      }
      const { data } = block
      const byteLengths: number[] = []
      for (let start = 0; start < data.length; ) {
        const end = data.indexOf(0x0a, start)
        byteLengths.push(end - start + 1)
        start = end + 1
      }
      yield { offset: block.offset, lines: blockLines(data), byteLengths }
    }
  }
}
