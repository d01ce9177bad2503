// End to end, in headless Chromium: the live demo's server as a real child process (killed with
// SIGKILL and restarted), its page built by Vite, two users in two pages.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPage } from '../../demo/live/build-page.js'

const root = join(import.meta.dirname, '../..')
const screenshots = join(import.meta.dirname, 'screenshots')
/** How soon a dispatch in one page shows in the other (it takes a few milliseconds on loopback). */
const BOUND_MS = 1000

let work = ''
let port = 0
let server: ChildProcess | undefined
let browser: Browser | undefined
const pages: Record<string, Page> = {}
/** Every WebSocket frame each page received, as text. */
const frames: Record<string, string[]> = { alice: [], bob: [] }

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** Starts the demo server on the fixed port and store directory; resolves once it listens. */
function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/live/server.ts', '--dir', join(work, 'store'), '--page', join(work, 'page'), '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk) => {
      out += chunk
      if (out.includes('bob: ')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`demo server exited with ${code}: ${out}`)))
  })
}

async function killServer(): Promise<void> {
  const child = server!
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

const balance = (user: string) => pages[user].getByTestId('balance')
const status = (user: string) => pages[user].getByTestId('status')

async function transfer(user: string, amount: number, note: string): Promise<void> {
  await pages[user].getByLabel('amount').fill(String(amount))
  await pages[user].getByLabel('note').fill(note)
  await pages[user].getByRole('button', { name: 'Send' }).click()
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'prevalent-browser-'))
  mkdirSync(screenshots, { recursive: true })
  port = await freePort()
  const [child] = await Promise.all([buildPage(join(work, 'page')).then(startServer), (async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'] })
  })()])
  server = child
  for (const user of ['alice', 'bob']) {
    // A context each: two users, nothing shared.
    const page = await (await browser!.newContext({ viewport: { width: 720, height: 520 } })).newPage()
    page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => frames[user].push(String(payload))))
    await page.goto(`http://127.0.0.1:${port}/?token=${user}-token`)
    pages[user] = page
  }
}, 60_000)

afterAll(async () => {
  await browser?.close()
  if (server && server.exitCode === null) await killServer()
  rmSync(work, { recursive: true, force: true })
})

describe('the live demo in a browser', () => {
  it('shows a dispatch in one page in the other page within the bound', async () => {
    await expect.poll(() => balance('alice').textContent()).toBe('100')
    await expect.poll(() => balance('bob').textContent()).toBe('100')
    const started = Date.now()
    await transfer('alice', 15, 'for the tickets')
    await balance('bob').filter({ hasText: '115' }).waitFor({ timeout: BOUND_MS })
    const elapsed = Date.now() - started
    expect(elapsed).toBeLessThan(BOUND_MS)
    writeFileSync(join(screenshots, 'latency.txt'), `click in alice's page to bob's page showing it: ${elapsed} ms\n`)
    await expect.poll(() => balance('alice').textContent()).toBe('85')
    await expect.poll(() => pages.bob.getByTestId('statement').textContent()).toContain('for the tickets')
  })

  it('never sends a user the other user’s private data (checked on the WebSocket frames)', async () => {
    await transfer('bob', 40, 'rent')
    await expect.poll(() => balance('alice').textContent()).toBe('125')
    await expect.poll(() => balance('bob').textContent()).toBe('75')
    expect(frames.alice.length).toBeGreaterThan(2)
    expect(frames.bob.length).toBeGreaterThan(2)
    // Each user's account object (and so balance) reaches only that user.
    expect(frames.alice.join('\n')).not.toContain('"owner":"bob"')
    expect(frames.bob.join('\n')).not.toContain('"owner":"alice"')
    expect(frames.alice.join('\n')).not.toMatch(/"balance":(115|75)\b/)
    expect(frames.bob.join('\n')).not.toMatch(/"balance":(85|125)\b/)
  })

  it('refuses an unauthorized dispatch with its code', async () => {
    const code = await pages.bob.evaluate(() =>
      (globalThis as any).prevalentDemo.live.dispatch('transfer', 'alice', 'bob', 50, 'not mine').then(
        () => 'accepted',
        (error: { code: string }) => error.code,
      ),
    )
    expect(code).toBe('UNAUTHORIZED')
    await expect.poll(() => balance('alice').textContent()).toBe('125')
  })

  it('reconnects after the server is killed (SIGKILL), resumes without a gap, and applies a dispatch sent during the outage once', async () => {
    await killServer()
    await expect.poll(() => status('alice').textContent()).toBe('connecting')
    await expect.poll(() => status('bob').textContent()).toBe('connecting')
    await transfer('alice', 20, 'sent during the outage')
    await expect.poll(() => pages.alice.getByTestId('message').textContent()).toContain('waiting for the server')
    server = await startServer()
    await expect.poll(() => status('alice').textContent(), { timeout: 10_000 }).toBe('open')
    await expect.poll(() => status('bob').textContent(), { timeout: 10_000 }).toBe('open')
    await expect.poll(() => pages.alice.getByTestId('message').textContent()).toContain('sent 20 to bob')
    await expect.poll(() => balance('bob').textContent()).toBe('95')
    await expect.poll(() => balance('alice').textContent()).toBe('105')
    // Bob's statement has every transfer once, in commit order: nothing missed, nothing twice.
    const notes = await pages.bob.locator('[data-testid=statement] tbody tr td:nth-child(3)').allTextContents()
    expect(notes).toEqual(['sent during the outage', 'rent', 'for the tickets'])
    await transfer('bob', 5, 'after the restart')
    await expect.poll(() => balance('alice').textContent()).toBe('110')
    await pages.alice.screenshot({ path: join(screenshots, 'alice.png') })
    await pages.bob.screenshot({ path: join(screenshots, 'bob.png') })
  })
})
