import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const child = fileURLToPath(new URL('../fixtures/async-recipe-child.ts', import.meta.url))

describe('an async recipe (issue 11)', () => {
  it('rejects dispatch with ASYNC_RECIPE and leaves no unhandled rejection behind', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', child], { cwd: root, encoding: 'utf8' })
    expect(run.stdout).toBe('ASYNC_RECIPE\ndone\n')
    expect(run.status).toBe(0)
  })
})
