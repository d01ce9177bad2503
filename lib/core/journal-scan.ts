import { decodeEntry, type JournalEntry } from './journal-entry.js'
import type { JournalChunk, JournalStorage } from './storage.js'

/** A verified entry, where it sits in the storage. */
export interface ScannedEntry {
  readonly kind: 'entry'
  /** Byte offset of the line's first byte. */
  readonly offset: number
  /** Bytes of the line, its line break included. */
  readonly length: number
  /** The line as stored (without its line break). */
  readonly line: string
  /** The decoded entry. */
  readonly entry: JournalEntry
}

/** A complete line that is not a valid next entry: what a store refuses to open on. */
export interface ScannedDamage {
  readonly kind: 'damage'
  readonly offset: number
  readonly length: number
  readonly line: string
  /** The sequence number this line should have had. */
  readonly seq: number
  /** What is wrong with it: checksum, JSON, fields, or the sequence. */
  readonly reason: string
  /** The entry, when the line decodes but breaks the sequence. */
  readonly entry?: JournalEntry
}

/** Bytes after the last line break: an append torn by a crash, never acknowledged. */
export interface ScannedTornTail {
  readonly kind: 'torn'
  /** Byte offset where the torn text starts (just after the last line break). */
  readonly offset: number
  /** Its length in bytes. */
  readonly length: number
  /** The torn text. */
  readonly text: string
  /** The entry, when the torn text is a whole entry that only lacks its line break. */
  readonly entry?: JournalEntry
}

/** One line (or the torn tail) of a journal, as {@link scanJournal} finds it. */
export type ScanItem = ScannedEntry | ScannedDamage | ScannedTornTail

/**
 * A chunk of lines that also knows each line's length in bytes (its line break included) and
 * the torn tail's: a reader that has the raw bytes supplies them, so offsets stay exact even
 * after a line of invalid UTF-8 (which decodes to fewer or more bytes than it had).
 */
export interface MeasuredChunk extends JournalChunk {
  readonly byteLengths?: readonly number[]
  readonly tailBytes?: number
}

/** Anything that yields journal lines: a {@link JournalStorage}, or a byte-exact file reader. */
export interface LineSource {
  /** The lines in order; a segmented source starts at the segment holding `fromSeq`. */
  read(fromSeq?: number): AsyncIterable<MeasuredChunk>
}

const NON_ASCII = /[^\x00-\x7f]/

/** Byte length of a string in UTF-8, without encoding it. @internal */
export function utf8Length(text: string): number {
  // Journal lines are nearly always ASCII (JSON.stringify keeps most text as is, but names and
  // arguments may hold any character); the regular expression answers that fast.
  if (!NON_ASCII.test(text)) return text.length
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else {
      // 3 bytes for one UTF-16 unit, or 4 for a surrogate pair's two (a lone surrogate is
      // written as U+FFFD: 3 bytes).
      bytes += 2
      const next = text.charCodeAt(i + 1)
      if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++
    }
  }
  return bytes
}

/**
 * Reads a journal from its start (or from the segment holding `fromSeq`) and reports every line, in order, in arrays (one per chunk
 * read): each verified entry, each damaged line, and a torn tail. Unlike opening a journal,
 * it does not stop at the first damage, so a tool can name every problem. A storage must be
 * open (read-only is enough).
 *
 * The sequence check resynchronises: after an undecodable line it accepts the next entry if
 * the damaged lines can account for the gap, so one damaged line is reported once.
 *
 * @example
 * await storage.open({ write: false })
 * for await (const items of scanJournal(storage))
 *   for (const item of items) if (item.kind !== 'entry') console.log(item.offset, item)
 */
export async function* scanJournal(source: LineSource, fromSeq = 1): AsyncGenerator<ScanItem[]> {
  let lastSeq = 0
  let damagedSince = 0
  let first = true
  for await (const chunk of source.read(fromSeq)) {
    // A journal whose older segments were removed starts at its first segment's seq.
    if (first && chunk.segment) lastSeq = chunk.segment.firstSeq - 1
    first = false
    const items: ScanItem[] = new Array(chunk.lines.length)
    let offset = chunk.offset
    for (let i = 0; i < chunk.lines.length; i++) {
      const line = chunk.lines[i]
      const length = chunk.byteLengths?.[i] ?? utf8Length(line) + 1
      const decoded = decodeEntry(line)
      if (typeof decoded === 'string') {
        items[i] = { kind: 'damage', offset, length, line, seq: lastSeq + damagedSince + 1, reason: decoded }
        damagedSince++
      } else {
        // After damaged lines, the next entry may take any seq those lines could have held.
        const highest = lastSeq + 1 + damagedSince
        const expected = damagedSince === 0 ? `seq ${highest}` : `seq ${lastSeq + 1} to ${highest}`
        items[i] = decoded.seq > lastSeq && decoded.seq <= highest
          ? { kind: 'entry', offset, length, line, entry: decoded }
          : { kind: 'damage', offset, length, line, seq: highest, reason: `sequence broken: expected ${expected}, found seq ${decoded.seq}`, entry: decoded }
        lastSeq = Math.max(lastSeq, decoded.seq)
        damagedSince = 0
      }
      offset += length
    }
    if (chunk.tail) {
      const decoded = decodeEntry(chunk.tail.text)
      const torn: ScannedTornTail = { kind: 'torn', offset: chunk.tail.offset, length: chunk.tailBytes ?? utf8Length(chunk.tail.text), text: chunk.tail.text }
      items.push(typeof decoded === 'string' ? torn : { ...torn, entry: decoded })
    }
    // Entries before fromSeq (earlier in the first segment read) are checked but not reported.
    const wanted = fromSeq > 1 ? items.filter((item) => item.kind !== 'entry' || item.entry.seq >= fromSeq) : items
    if (wanted.length > 0) yield wanted
  }
}
