import type { JournalChunk, SegmentInfo, TailOptions } from './storage.js'

/** How far a writer has acknowledged: the seq, and where its entry ends (segment and byte length). */
export interface AcknowledgedPoint {
  readonly seq: number
  /** First seq of the segment the writer appends to. */
  readonly firstSeq: number
  /** Bytes of that segment acknowledged. */
  readonly bytes: number
}

/**
 * What a journal kept as segments of bytes (the file journal, the memory one) offers
 * {@link tailSegments}.
 * @internal
 */
export interface SegmentSource {
  /** The newest point a writer published, or null when none did (then every whole line counts: no writer is running). */
  acknowledged(): Promise<AcknowledgedPoint | null>
  /** The segments, oldest first. */
  segments(): Promise<SegmentInfo[]>
  /** The segment's bytes from `from` to `to` at most (fewer at its end); null once the segment is gone. */
  readBytes(segment: SegmentInfo, from: number, to: number): Promise<Uint8Array | null>
  /** Resolves at the next wake-up (new data may be there), after a poll interval, or once `signal` aborts. */
  wait(signal: AbortSignal): Promise<void>
}

/** Bytes read at most per chunk while catching up. */
const PIECE = 1 << 22
const fromUtf8 = new TextDecoder()

function holding(all: readonly SegmentInfo[], seq: number): SegmentInfo | null {
  let found: SegmentInfo | null = null
  for (const segment of all) if (found === null || segment.firstSeq <= seq) found = segment
  return found
}

/**
 * The tail of a segmented byte journal: reads only whole lines up to the point the writer
 * acknowledged, moves to the next segment once a later one is being written (a segment is
 * whole before the writer rolls), and moves past a removed segment to the next one kept
 * (announcing it, so the reader sees the gap).
 * @internal
 */
export async function* tailSegments(source: SegmentSource, fromSeq: number, options: TailOptions): AsyncGenerator<JournalChunk> {
  const { signal } = options
  let current: SegmentInfo | null = null
  let offset = 0
  let announce = true
  let piece = PIECE
  while (!signal.aborted) {
    const point = await source.acknowledged()
    if (current === null) current = holding(await source.segments(), fromSeq)
    if (current === null) {
      options.onCaughtUp?.()
      await source.wait(signal)
      continue
    }
    // A later segment written to means this one is whole; one newer than the point has nothing acknowledged yet.
    const whole = point === null || point.firstSeq > current.firstSeq
    const limit = whole ? Infinity : point.firstSeq === current.firstSeq ? point.bytes : offset
    const bytes = await source.readBytes(current, offset, Math.min(limit, offset + piece))
    if (bytes === null) {
      // Removed by retention: go on with the oldest segment kept after it.
      const passed: SegmentInfo = current
      const next: SegmentInfo | undefined = (await source.segments()).find((s) => s.firstSeq > passed.firstSeq)
      if (next) [current, offset, announce] = [next, 0, true]
      else await source.wait(signal)
      continue
    }
    const end = bytes.lastIndexOf(0x0a) + 1
    if (end > 0 || announce) {
      const lines = end > 0 ? fromUtf8.decode(bytes.subarray(0, end - 1)).split('\n') : []
      yield { offset, lines, ...(announce && { segment: current }), ...(point && { head: point.seq }) }
      announce = false
      offset += end
    }
    if (bytes.length === piece) {
      // A line longer than a piece: read more at once.
      if (end === 0) piece *= 2
      continue
    }
    if (whole) {
      const passed: SegmentInfo = current
      const next = (await source.segments()).find((s) => s.firstSeq > passed.firstSeq)
      if (next && end === bytes.length) {
        ;[current, offset, announce] = [next, 0, true]
        continue
      }
    }
    options.onCaughtUp?.()
    await source.wait(signal)
  }
}
