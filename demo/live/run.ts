// npm run demo:live: builds the page with Vite, starts the bank's server and prints a URL per user.
//   npm run demo:live -- [--dir DIR] [--port N]
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildPage } from './build-page.js'
import { startDemo } from './server.js'

const { values } = parseArgs({ options: { dir: { type: 'string' }, port: { type: 'string', default: '5180' } } })
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'prevalent-live-'))
const page = join(import.meta.dirname, 'dist')
await buildPage(page)
const demo = await startDemo({ dir, page, port: Number(values.port) })
console.log(`prevalent live demo (store in ${dir}); open each user's page in its own window:`)
for (const [user, url] of Object.entries(demo.urls)) console.log(`  ${user}: ${url}`)
process.on('SIGINT', () => void demo.close().then(() => process.exit(0)))
