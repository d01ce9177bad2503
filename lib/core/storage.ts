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
  /** Yields the stored lines in order. May be called once the storage is open, before appends. */
  read(): AsyncIterable<JournalChunk>
  /**
   * Cuts the stored data back to `offset` (as reported by {@link read}), making the cut durable.
   * Only used at open, to drop a torn tail or (when asked) damage.
   */
  truncate(offset: number): Promise<void>
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
}
