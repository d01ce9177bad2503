// Runs the seed example as two separate processes on one fresh directory.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'prevalent-seed-'))
const run = (script: string): void => {
  execFileSync(process.execPath, [...process.execArgv, join(here, script), dir], { stdio: 'inherit' })
}
try {
  console.log(`store directory: ${dir}\n`)
  run('first-run.ts')
  run('second-run.ts')
  console.log(`\nthe journal (${join(dir, 'journal.ndjson')}):`)
  process.stdout.write(readFileSync(join(dir, 'journal.ndjson'), 'utf8'))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
