// Temporary directories under the OS temp dir, removed at the end of a section.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Runs `body` with a fresh temporary directory and removes it afterwards, whatever happens. */
export async function withTempDir<R>(prefix: string, body: (dir: string) => Promise<R> | R): Promise<R> {
  const dir = mkdtempSync(join(tmpdir(), `prevalent-bench-${prefix}-`))
  try {
    return await body(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
