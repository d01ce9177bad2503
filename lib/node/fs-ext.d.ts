declare module 'fs-ext' {
  /** flock(2) on an open file descriptor: 'sh' | 'ex' | 'un', with 'nb' for non-blocking. */
  export function flockSync(fd: number, flags: 'sh' | 'ex' | 'shnb' | 'exnb' | 'un'): void
  const fsExt: { flockSync: typeof flockSync }
  export default fsExt
}
