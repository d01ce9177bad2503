/**
 * A run of complete journal lines read from storage, in order. `offset` is where the first
 * line starts (bytes for files; an index for other backends) so damage can be located.
 */
export interface JournalChunk {
  readonly offset: number
  readonly lines: readonly string[]
  /**
   * Only on the last chunk, and only when the stored data ends without a line break: the
   * incomplete text after the last one (a write torn by a crash), and where it starts.
   */
  readonly tail?: { readonly offset: number; readonly text: string }
  /**
   * Set on the first chunk of each segment when the journal is split into segments: where the
   * segment lives and the sequence number its first entry must have. Offsets of the chunks
   * that follow are inside that segment.
   */
  readonly segment?: SegmentInfo
  /** Bytes read so far across the whole read, this chunk included (for progress reports). */
  readonly bytesRead?: number
}

/** One file (or other unit) of a segmented journal. */
export interface SegmentInfo {
  /** The sequence number of the segment's first entry. */
  readonly firstSeq: number
  /** Where the segment is (a file path), for messages. */
  readonly location: string
}

/** A stored snapshot: the whole state after entry `seq`. */
export interface SnapshotInfo {
  /** The sequence number of the last entry the snapshot includes. */
  readonly seq: number
  /** Where it is (a file path), for messages. */
  readonly location: string
  /** Its size in bytes, when known. */
  readonly bytes?: number
}

/**
 * Where snapshots live. A snapshot is a run of text lines written as a whole or not at all:
 * the file implementation writes a temporary file, fsyncs it, renames it into place and
 * fsyncs the directory.
 */
export interface SnapshotStorage {
  /** The stored snapshots, oldest first (temporary leftovers of interrupted writes excluded). */
  list(): Promise<SnapshotInfo[]>
  /** Reads one snapshot's lines in order, in runs of many; a last line without `\n` is yielded as is. */
  read(seq: number): AsyncIterable<readonly string[]>
  /**
   * Writes the snapshot of `seq` from `lines` (each ending in `\n`), pulling them as it goes so
   * that a large state is never one string. Resolves once it is durable and in place.
   */
  write(seq: number, lines: AsyncIterable<string> | Iterable<string>): Promise<SnapshotInfo>
  /** Removes the snapshot of `seq` (retention). */
  remove(seq: number): Promise<void>
}

/**
 * Where a journal lives. The core knows nothing of files: it hands this interface complete
 * lines and asks for durability; a file implementation, a memory one (for specs) and later
 * distributed backends implement it and pass the same contract suite.
 *
 * Calls never overlap: the journal awaits each before the next.
 */
export interface JournalStorage {
  /** A human-readable name of where the data is (a file path), used in every error message. */
  readonly location: string
  /**
   * Opens the storage. With `write`, takes exclusive write access first.
   * @throws StoreError `LOCKED` when another writer holds it (naming the holder).
   */
  open(mode: { write: boolean }): Promise<void>
  /**
   * Yields the stored lines in order. May be called once the storage is open, before appends.
   * A segmented storage starts at the last segment whose first entry is at or before
   * `fromSeq` (default 1) and goes on through every later segment.
   */
  read(fromSeq?: number): AsyncIterable<JournalChunk>
  /**
   * Cuts the stored data back to `offset` (as reported by {@link read}), making the cut durable.
   * Only used at open, to drop a torn tail or (when asked) damage.
   */
  truncate(offset: number): Promise<void>
  /**
   * Optional: copies the stored data from `offset` to the end aside (before a {@link truncate}
   * cuts it off at open) and resolves with where it is kept.
   */
  keepAside?(offset: number): Promise<string>
  /**
   * Appends `text` (one or more complete lines, each ending in `\n`). When the promise resolves
   * the data has been handed to the operating system but is not necessarily durable.
   * @throws the I/O error; the journal then refuses further writes.
   */
  append(text: string): Promise<void>
  /**
   * Makes everything appended so far durable (fsync). Resolves only once it is.
   * @throws the I/O error; nothing appended since the last successful sync may be assumed durable.
   */
  sync(): Promise<void>
  /** Releases the storage (and its write lock). Does not sync; call {@link sync} first. */
  close(): Promise<void>
  /**
   * Segmented storages only: ends the current segment and continues in a new one whose first
   * entry will be `firstSeq`, durably (the new segment exists on disk when this resolves).
   * The caller syncs the current segment first.
   */
  roll?(firstSeq: number): Promise<void>
  /** Optional: the bytes a {@link read} from `fromSeq` would go through (for progress reports). */
  size?(fromSeq?: number): Promise<number>
  /** Segmented storages only: the segments, oldest first. */
  segments?(): Promise<SegmentInfo[]>
  /** Segmented storages only: removes every segment whose entries are all at or before `seq`; resolves with how many. */
  removeSegmentsThrough?(seq: number): Promise<number>
  /** Where this storage keeps snapshots, if it can. */
  readonly snapshots?: SnapshotStorage
}
