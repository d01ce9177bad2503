import { decodeEntry } from './journal-entry.js'
import type { JournalStorage } from './storage.js'

const utf8 = new TextEncoder()

/**
 * True when a valid entry (a line whose checksum holds) starts at or after byte `offset` of
 * segment `location`, in it or in a later segment (the damaged line itself counts: a whole
 * entry out of sequence is not a torn write). Damage with none after it is where the data ends: a
 * write that a power loss left half on disk (pages never written read back as zeros), never
 * acknowledged, since every later byte was written after it. Damage followed by valid entries
 * is in the middle of the history, and stays a refusal.
 * @internal
 */
export async function validEntryAfter(storage: JournalStorage, fromSeq: number, location: string, offset: number): Promise<boolean> {
  let current = storage.location
  let inDamaged = false
  for await (const chunk of storage.read(fromSeq)) {
    if (chunk.segment) {
      // A segment after the damaged one: the history goes on past the damage.
      if (inDamaged) return true
      current = chunk.segment.location
    }
    inDamaged = current === location
    if (!inDamaged) continue
    let at = chunk.offset
    for (const line of chunk.lines) {
      if (at >= offset && typeof decodeEntry(line) !== 'string') return true
      at += utf8.encode(line).length + 1
    }
  }
  return false
}
