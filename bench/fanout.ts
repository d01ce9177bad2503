// npm run bench:fanout [-- --clients 1000 --commits 2000 --idle 10000 --quick]
//
// 1. Fan-out: N WebSocket clients (in --processes child processes, so the server's CPU is its
//    own) subscribed to one view; commits driven as fast as the clients take them (at most
//    --window commits not yet received by every client). Throughput, commit-to-client latency
//    (p50/p99, paced and flat out) and server CPU per commit, against the raw limit: a plain
//    `ws` server pushing the same frames, with no store and no library.
// 2. Idle connections: the server in a child process, --idle connections subscribed to the
//    view, RSS per connection, with a small state and a large one.
// 3. Bundle size of the browser client + React bindings and of the DevTools bridge (minified, gzipped).
import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { WebSocket, WebSocketServer } from 'ws'
import { numberArg } from './args.js'
import { CELLS, serveBoard } from './fanout-setup.js'

const quick = process.argv.includes('--quick')
const CLIENTS = numberArg('clients', quick ? 200 : 1000)
const COMMITS = numberArg('commits', quick ? 300 : 2000)
const WINDOW = numberArg('window', 4)
const IDLE = numberArg('idle', quick ? 1000 : 10_000)
const PACE_MS = numberArg('pace', 5)

/** A fan-out target: something that commits (or pretends to) and clients that count what they got. */
interface Target {
  readonly url: string
  /** Makes commit `i` and its frame go out; resolves when it has been handed to the sockets. */
  commit(i: number): Promise<void> | void
  close(): Promise<void>
}


const PROCESSES = numberArg('processes', 4)

/** The latency at percentile `p` of summed 0.1 ms histograms. */
function percentile(histograms: number[][], p: number): number {
  const total = histograms.reduce((sum, h) => sum + h.reduce((a, b) => a + b, 0), 0)
  let seen = 0
  for (let bucket = 0; bucket < histograms[0].length; bucket++) {
    for (const h of histograms) seen += h[bucket]
    if (seen >= (p / 100) * total) return bucket / 10
  }
  return Infinity
}

async function measure(target: Target, name: string) {
  const paced = Math.min(COMMITS, 400)
  const total = paced + COMMITS
  const wall = () => performance.timeOrigin + performance.now()
  const committedAt = new Array<number>(total + 1).fill(0)
  // The clients, in child processes; each tells how far all of its clients have got.
  const reached = new Array<number>(PROCESSES).fill(0)
  let allUpTo = 0
  let wake: (() => void) | null = null
  const children = await Promise.all(
    Array.from({ length: PROCESSES }, (_, k) => {
      const share = Math.floor(CLIENTS / PROCESSES) + (k < CLIENTS % PROCESSES ? 1 : 0)
      const child = fork(join(import.meta.dirname, 'fanout-clients.ts'), ['--url', target.url, '--clients', String(share), '--max-seq', String(total)], { execArgv: ['--import', 'tsx'] })
      child.on('message', (message: { upTo?: number }) => {
        if (message.upTo === undefined) return
        reached[k] = message.upTo
        allUpTo = Math.min(...reached)
        wake?.()
      })
      return new Promise<typeof child>((resolve) => child.once('message', () => resolve(child)))
    }),
  )
  const waitUntil = async (seq: number) => {
    while (allUpTo < seq) await new Promise<void>((resolve) => (wake = resolve))
  }
  // Paced: one commit every PACE_MS, latency as a page would see it under a steady load.
  for (let i = 1; i <= paced; i++) {
    committedAt[i] = wall()
    await target.commit(i)
    await new Promise((resolve) => setTimeout(resolve, PACE_MS))
  }
  await waitUntil(paced)
  // Flat out, with a window: throughput and the server's CPU per commit.
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = paced + 1; i <= total; i++) {
    if (i - allUpTo > WINDOW) await waitUntil(i - WINDOW)
    committedAt[i] = wall()
    await target.commit(i)
  }
  await waitUntil(total)
  const elapsed = performance.now() - started
  const used = process.cpuUsage(cpu)
  const results = await Promise.all(
    children.map(
      (child) =>
        new Promise<number[][]>((resolve) => {
          child.once('message', (message: { histograms: number[][] }) => resolve(message.histograms))
          child.send({ committedAt, ranges: [[1, paced], [paced + 1, total]] })
        }),
    ),
  )
  await target.close()
  const pacedH = results.map((r) => r[0])
  const flatH = results.map((r) => r[1])
  return {
    name,
    throughput: COMMITS / (elapsed / 1000),
    cpuPerCommitMs: (used.user + used.system) / 1000 / COMMITS,
    paced: { p50: percentile(pacedH, 50), p99: percentile(pacedH, 99) },
    flat: { p50: percentile(flatH, 50), p99: percentile(flatH, 99) },
  }
}

async function prevalentTarget(): Promise<Target> {
  const served = await serveBoard(0)
  return {
    url: served.url,
    commit: async (i) => {
      await served.store.dispatch('set', i % CELLS, i)
    },
    close: async () => {
      await served.live.close()
      await new Promise((resolve) => served.http.close(resolve))
      await served.store.close()
    },
  }
}

/** The raw limit: plain ws, the same hello / value / patch frames, built by hand, no store. */
async function rawTarget(): Promise<Target> {
  const http = createServer()
  const wss = new WebSocketServer({ server: http, path: '/live', perMessageDeflate: false })
  const cells = Array.from({ length: CELLS }, () => 0)
  wss.on('connection', (socket) => {
    socket.send('{"t":"hello","seq":0}')
    socket.on('message', () => socket.send(JSON.stringify({ t: 'value', id: 1, seq: 0, value: cells })))
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/live`,
    commit: async (i) => {
      cells[i % CELLS] = i
      // Encoded once, sent to all: the best plain ws does.
      const frame = Buffer.from(`{"t":"patch","seq":${i},"p":{"1":${JSON.stringify([{ op: 'set', path: [i % CELLS], value: i }])}}}`)
      for (const socket of wss.clients) socket.send(frame, { binary: false })
      // The store's dispatch resolves on a later tick too.
      await Promise.resolve()
    },
    close: async () => {
      for (const socket of wss.clients) socket.terminate()
      await new Promise((resolve) => wss.close(resolve))
      await new Promise((resolve) => http.close(resolve))
    },
  }
}

async function idle(entries: number) {
  const child = fork(join(import.meta.dirname, 'fanout-idle-server.ts'), ['--entries', String(entries)], { execArgv: ['--import', 'tsx', '--expose-gc'] })
  const next = () => new Promise<{ url?: string; rss: number; connections?: number }>((resolve) => child.once('message', resolve as never))
  const ready = await next()
  const sockets: WebSocket[] = []
  for (let i = 0; i < IDLE; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, IDLE - i) }, () =>
        new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(ready.url!)
          sockets.push(socket)
          socket.on('message', (data) => {
            const t = JSON.parse(data.toString()).t
            if (t === 'hello') socket.send('{"t":"sub","id":1,"view":"board"}')
            else if (t === 'value') resolve()
          })
          socket.on('error', reject)
        }),
      ),
    )
  }
  child.send('rss')
  const loaded = await next()
  for (const socket of sockets) socket.terminate()
  child.kill()
  return { entries, before: ready.rss, after: loaded.rss, connections: loaded.connections!, perConnection: (loaded.rss - ready.rss) / loaded.connections! }
}

async function gzipped(entry: string, external: string[]): Promise<number> {
  const result = await build({ stdin: { contents: entry, resolveDir: join(import.meta.dirname, '..'), loader: 'ts' }, bundle: true, minify: true, format: 'esm', write: false, external, platform: 'browser', target: 'es2020', treeShaking: true })
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length
}

const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const kb = (bytes: number) => `${fmt(bytes / 1024)} KB`

const prevalent = await measure(await prevalentTarget(), 'prevalent')
const raw = await measure(await rawTarget(), 'raw ws')
for (const r of [prevalent, raw]) {
  console.log(`fan-out ${r.name.padEnd(9)} ${CLIENTS} clients: ${fmt(r.throughput, 0)} commits/s to every client; server CPU ${fmt(r.cpuPerCommitMs, 3)} ms per commit; latency paced (1 per ${PACE_MS} ms) p50 ${fmt(r.paced.p50)} ms p99 ${fmt(r.paced.p99)} ms; flat out p50 ${fmt(r.flat.p50)} ms p99 ${fmt(r.flat.p99)} ms`)
}
const ratio = prevalent.throughput / raw.throughput
console.log(`goals: throughput ${fmt(ratio)}x raw (≥ 0.70x) ${ratio >= 0.7 ? 'met' : 'MISSED'}; paced p50 ${fmt(prevalent.paced.p50)} ms (≤ 5) ${prevalent.paced.p50 <= 5 ? 'met' : 'MISSED'}; paced p99 ${fmt(prevalent.paced.p99)} ms (≤ 25) ${prevalent.paced.p99 <= 25 ? 'met' : 'MISSED'}`)
for (const entries of quick ? [0] : [0, 100_000]) {
  const r = await idle(entries)
  console.log(`idle: ${r.connections} connections on one view, state with ${entries} archive entries: server RSS ${fmt(r.before / 2 ** 20, 1)} → ${fmt(r.after / 2 ** 20, 1)} MiB, ${fmt(r.perConnection / 1024, 1)} KiB per connection`)
}
const client = await gzipped(`export * from './lib/client/index.ts'; export * from './lib/react/index.ts'`, ['rxjs', 'immer', 'react'])
const devtools = await gzipped(`export * from './lib/devtools/index.ts'`, ['rxjs', 'immer', 'react'])
console.log(`bundle: client + react ${kb(client)} gzipped (rxjs, immer, react apart; goal ≤ 15 KB) ${client <= 15 * 1024 ? 'met' : 'MISSED'}; devtools ${kb(devtools)} (goal ≤ 1 KB) ${devtools <= 1024 ? 'met' : 'MISSED'}`)
process.exit(0)
