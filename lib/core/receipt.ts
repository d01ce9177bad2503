// What a dispatch resolves with: a leaf of the type graph, so that the store API, the
// idempotency table and the snapshot format can all name it without importing each other.

/** What a dispatch resolves with once its transaction is committed. */
export interface Receipt<R> {
  /** The entry's sequence number (for a transaction that changed nothing: the last one before it). */
  readonly seq: number
  /** Whatever the recipe returned. */
  readonly result: R
  /** False when the recipe changed nothing, so no entry was written. */
  readonly journaled: boolean
}

/** What `dispatchOnce` resolves with: the receipt, and whether it is a retry's. */
export interface OnceReceipt<R> extends Receipt<R> {
  /** True when this key had been seen: the receipt is the first outcome's, nothing was applied again. */
  readonly duplicate: boolean
}
