// The live demo's server: a bank on a prevalent store in a directory, its views served over
// WebSocket at /live, and the page (built by Vite) served from a folder.
//
//   tsx demo/live/server.ts --dir DIR --page DIR [--port N]
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { parseArgs } from 'node:util'
import { openStore } from '../../lib/index.js'
import { serveStore } from '../../lib/server/index.js'
import { authenticate, authorize, bank, USERS, views } from './app.js'

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' }

/** The demo running: its HTTP server and the URL of each user's page. */
export interface LiveDemo {
  readonly server: Server
  readonly urls: Readonly<Record<string, string>>
  close(): Promise<void>
}

/** Opens the bank in `dir` (giving alice and bob 100 each the first time) and serves it and the page on `port`. */
export async function startDemo(options: { dir: string; page: string; port?: number; host?: string }): Promise<LiveDemo> {
  const store = await openStore(bank, { dir: options.dir })
  for (const user of Object.keys(USERS)) if (!store.state.accounts.has(user)) await store.dispatch('open', user, 100)
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname
    const file = join(options.page, normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, ''))
    if (!file.startsWith(options.page) || !existsSync(file) || !statSync(file).isFile()) return response.writeHead(404).end('not found')
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(response)
  })
  const live = serveStore(server, { store, views, authenticate, authorize })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve))
  const base = `http://${host}:${(server.address() as AddressInfo).port}`
  const urls = Object.fromEntries(Object.entries(USERS).map(([user, token]) => [user, `${base}/?token=${token}`]))
  return {
    server,
    urls,
    async close() {
      await live.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await store.close()
    },
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, page: { type: 'string' }, port: { type: 'string', default: '0' } } })
  if (!values.dir || !values.page) {
    console.error('usage: tsx demo/live/server.ts --dir DIR --page DIR [--port N]')
    process.exit(2)
  }
  const demo = await startDemo({ dir: values.dir, page: values.page, port: Number(values.port) })
  for (const [user, url] of Object.entries(demo.urls)) console.log(`${user}: ${url}`)
  process.on('SIGINT', () => void demo.close().then(() => process.exit(0)))
  process.on('SIGTERM', () => void demo.close().then(() => process.exit(0)))
}
