import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { filter, firstValueFrom } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { eachTempDir } from '../fixtures/temp-dir.js'
import { page, serve } from './readme-example.js'

let dir = ''
eachTempDir('readme-live', (d) => (dir = d))

describe('README: Live views in the browser', () => {
  it('shows the example of this folder, with the package’s own import paths', () => {
    const example = readFileSync(join(import.meta.dirname, 'readme-example.ts'), 'utf8')
      .replace("'../../lib/index.js'", "'prevalent'")
      .replace("'../../lib/server/index.js'", "'prevalent/server'")
      .replace("'../../lib/client/index.js'", "'prevalent/client'")
    expect(readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8')).toContain(example)
  })

  it('runs: the page dispatches, and sees its own list', async () => {
    const served = await serve(dir, 0)
    const { live, mine, result } = await page(served.port)
    expect(result).toBe(1)
    expect(await firstValueFrom(mine.pipe(filter((items) => items.length === 1)))).toEqual(['milk'])
    live.close()
    await served.live.close()
    await new Promise((resolve) => served.server.close(resolve))
    await served.store.close()
  })
})
