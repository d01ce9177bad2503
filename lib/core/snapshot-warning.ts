// A leaf of the type graph: the store API names it without importing the snapshot machinery.

/** A damaged snapshot skipped at open, or a snapshot that failed in the background. */
export interface SnapshotWarning {
  readonly code: 'SNAPSHOT_SKIPPED' | 'SNAPSHOT_FAILED'
  readonly message: string
  readonly location: string
}
