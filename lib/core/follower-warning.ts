/** Something a follower went through on its own. */
export interface FollowerWarning {
  readonly code: 'TAIL_FAILED' | 'CAUGHT_UP_FROM_SNAPSHOT'
  readonly message: string
  readonly location: string
}
