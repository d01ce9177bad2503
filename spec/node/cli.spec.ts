import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import superjson from 'superjson'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore, openStoreAt } from '../../lib/index.js'
import { createProgram } from '../../lib/node/cli/program.js'
import { cli } from '../fixtures/cli.js'
import { seed } from '../fixtures/definitions.js'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const T0 = Date.parse('2026-11-24T18:00:00.000Z')
const definitions = join(import.meta.dirname, '../fixtures/definitions.ts')

/** A store directory holding the seed's five transactions, one second apart from 18:00:01. */
async function seeded(): Promise<{ dir: string; file: string; text: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'prevalent-cli-'))
  dirs.push(dir)
  let now = T0
  const store = await openStore(seed, { dir, clock: () => (now += 1000) })
  await store.dispatch('add', 1, 2)
  await store.dispatch('add', 10, 20)
  await store.dispatch('swap')
  await store.dispatch('inc')
  await store.dispatch('setS', { a: 'bb', key: new Set(['val1', 'val2']), n: 10n })
  await store.close()
  const file = join(dir, 'journal.ndjson')
  const text = readFileSync(file, 'utf8')
  return { dir, file, text, lines: text.trimEnd().split('\n') }
}

/** Byte offset of line `index` (0-based) in a journal text. */
function offsetOf(lines: string[], index: number): number {
  return lines.slice(0, index).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0)
}

describe.concurrent('prevalent (command line)', () => {
  it('shows --help for the program and every command', async () => {
    const [program, replay] = await Promise.all([cli('--help'), cli('replay', '--help')])
    expect(program).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: prevalent[\s\S]*inspect[\s\S]*verify[\s\S]*repair[\s\S]*replay[\s\S]*stats/) })
    expect(replay).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: prevalent replay [options] <dir>') })
    expect(replay.stdout).toContain('--definition <module>')
    const commands = createProgram('0.0.0').commands.filter((command) => command.name() !== 'help')
    expect(commands.map((command) => command.name())).toEqual(['inspect', 'verify', 'repair', 'replay', 'stats'])
    for (const command of commands) expect(command.helpInformation()).toMatch(new RegExp(`^Usage: prevalent ${command.name()} \\[options\\] <dir>`))
  })

  it('inspects entries as readable lines, with name, sequence and time filters and --json', async () => {
    const { dir, lines } = await seeded()
    const [all, byNameAndSeq, byTime] = await Promise.all([
      cli('inspect', dir),
      cli('inspect', dir, '--name', 'add,inc', '--name', 'setS', '--from', '2', '--to', '4'),
      cli('inspect', dir, '--since', '2026-11-24T18:00:02Z', '--until', '2026-11-24T18:00:03.500Z', '--json'),
    ])
    expect(all).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        '      1  2026-11-24T18:00:01.000Z  add(1, 2)',
        '      2  2026-11-24T18:00:02.000Z  add(10, 20)',
        '      3  2026-11-24T18:00:03.000Z  swap()',
        '      4  2026-11-24T18:00:04.000Z  inc()',
        "      5  2026-11-24T18:00:05.000Z  setS({ a: 'bb', key: Set(2) { 'val1', 'val2' }, n: 10n })",
        '',
      ].join('\n'),
    })
    expect(byNameAndSeq.stdout.match(/^ +\d+/gm)?.map(Number)).toEqual([2, 4])
    expect(byTime.stdout).toBe(lines[1] + '\n' + lines[2] + '\n')
  })

  it('verifies a good journal with exit code 0', async () => {
    const { dir, file, text } = await seeded()
    const run = await cli('verify', dir)
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(`${file}: 5 valid entries (seq 1 to 5), ${Buffer.byteLength(text)} bytes\nok: every checksum matches and the sequence has no gaps\n`)
  })

  it('names every problem of a damaged journal with file and byte offset, and exits 1', async () => {
    const { dir, file, lines } = await seeded()
    const damaged = [lines[0], lines[1].replace('[10,20]', '[90,20]'), 'garbage', lines[3], lines[4]]
    writeFileSync(file, damaged.join('\n') + '\n' + '{"seq":6,"ti')
    const run = await cli('verify', dir)
    expect(run.code).toBe(1)
    const problems = run.stdout.split('\n').filter((line) => line.startsWith(`${file} at byte`))
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`at byte ${offsetOf(damaged, 1)} \\(seq 2\\): checksum mismatch`)),
      expect.stringMatching(new RegExp(`at byte ${offsetOf(damaged, 2)} \\(seq 3\\): a line of 7 characters is too short`)),
      expect.stringMatching(new RegExp(`at byte ${offsetOf(damaged, 5)}: torn last entry`)),
    ])
    expect(run.stdout).toContain(`3 problems: a store refuses to open this journal (first damage at byte ${offsetOf(damaged, 1)}, seq 2)`)
    const json = JSON.parse((await cli('verify', dir, '--json')).stdout)
    expect(json).toMatchObject({ ok: false, entries: 3, problems: [{ kind: 'damaged-entry', seq: 2 }, { kind: 'damaged-entry', seq: 3 }, { kind: 'torn-tail' }] })
  })

  it('reports a sequence gap once, and a torn tail alone with exit code 1', async () => {
    const { dir, file, lines, text } = await seeded()
    writeFileSync(file, [lines[0], lines[1], lines[3], lines[4]].join('\n') + '\n')
    const gap = await cli('verify', dir)
    expect(gap.code).toBe(1)
    expect(gap.stdout).toContain(`${file} at byte ${offsetOf(lines, 2)} (seq 3): sequence broken: expected seq 3, found seq 4`)
    expect(gap.stdout).toContain('1 problem: a store refuses to open this journal')
    writeFileSync(file, text + '{"seq":6')
    const torn = await cli('verify', dir)
    expect(torn.code).toBe(1)
    expect(torn.stdout).toContain(`${file} at byte ${Buffer.byteLength(text)}: torn last entry, 8 bytes without a line break`)
    expect(torn.stdout).toContain('only a torn last entry; opening the store cuts it off')
  })

  it('repairs a torn tail with --yes, keeping the removed bytes in a backup next to the journal', async () => {
    const { dir, file, text } = await seeded()
    writeFileSync(file, text + '{"seq":6,"time"')
    const run = await cli('repair', dir, '--yes')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`cutting at byte ${Buffer.byteLength(text)} removes 15 bytes: a torn last entry of 15 bytes`)
    expect(run.stdout).toContain('after the cut the journal ends at seq 5 (2026-11-24T18:00:05.000Z)')
    expect(readFileSync(file, 'utf8')).toBe(text)
    const backups = readdirSync(dir).filter((name) => name.startsWith('journal.ndjson.removed-'))
    expect(backups).toHaveLength(1)
    expect(readFileSync(join(dir, backups[0]), 'utf8')).toBe('{"seq":6,"time"')
    const warnings: unknown[] = []
    const store = await openStore(seed, { dir, onWarning: (w) => warnings.push(w) })
    expect({ seq: store.seq, warnings }).toEqual({ seq: 5, warnings: [] })
    await store.close()
  })

  it('truncates at the first damaged entry after listing what is lost', async () => {
    const { dir, file, lines } = await seeded()
    const damaged = [lines[0], lines[1], lines[2].replace('"swap"', '"swop"'), lines[3], lines[4]]
    writeFileSync(file, damaged.join('\n') + '\n')
    const cut = offsetOf(damaged, 2)
    const run = await cli('repair', dir, '--yes')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`cutting at byte ${cut} removes ${offsetOf(damaged, 5) - cut} bytes: 1 damaged line, 2 valid entries after the damage`)
    expect(run.stdout).toMatch(/!  at byte \d+ \(seq 3\): checksum mismatch/)
    expect(run.stdout).toContain('      4  2026-11-24T18:00:04.000Z  inc()')
    expect(run.stdout).toContain('      5  2026-11-24T18:00:05.000Z  setS(')
    expect(readFileSync(file, 'utf8')).toBe(damaged.slice(0, 2).join('\n') + '\n')
    const store = await openStore(seed, { dir })
    expect(store.state).toMatchObject({ x: 11, y: 22 })
    await store.close()
  })

  it('refuses to repair without --yes when stdin is not a terminal, and changes nothing on --dry-run', async () => {
    const { dir, file, text } = await seeded()
    writeFileSync(file, text + 'torn')
    const [refused, dry] = await Promise.all([cli('repair', dir), cli('repair', dir, '--dry-run')])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('refusing to cut the journal without --yes')
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('removes 4 bytes')
    expect(readFileSync(file, 'utf8')).toBe(text + 'torn')
    expect(readdirSync(dir).some((name) => name.includes('removed'))).toBe(false)
  })

  it('refuses to repair a journal a store has open (LOCKED) with exit code 2', async () => {
    const { dir, file, text } = await seeded()
    const store = await openStore(seed, { dir })
    const run = await cli('repair', dir, '--yes')
    await store.close()
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('is locked by another writer')
    expect(readFileSync(file, 'utf8')).toBe(text)
  })

  it('replays up to a sequence number or a time and prints the state readably', async () => {
    const { dir } = await seeded()
    const [bySeq, byTime] = await Promise.all([
      cli('replay', dir, '--definition', definitions, '--export', 'seed', '--until', '5'),
      cli('replay', dir, '-d', definitions, '-e', 'seed', '--until', '2026-11-24T18:00:02.500Z'),
    ])
    expect(bySeq).toEqual({ code: 0, stderr: '', stdout: "# state at seq 5 (2026-11-24T18:00:05.000Z)\n{ x: 23, y: 12, s: { a: 'bb', key: Set(2) { 'val1', 'val2' }, n: 10n } }\n" })
    expect(byTime.stdout).toBe('# state at seq 2 (2026-11-24T18:00:02.000Z)\n{ x: 11, y: 22, s: {} }\n')
  })

  it('writes the state at a point as JSON with superjson annotations (--snapshot-to)', async () => {
    const { dir } = await seeded()
    const out = join(dir, 'state-at-5.json')
    const run = await cli('replay', dir, '-d', definitions, '-e', 'seed', '--until', '5', '--snapshot-to', out)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`state at seq 5 (2026-11-24T18:00:05.000Z) written to ${out}`)
    const document = JSON.parse(readFileSync(out, 'utf8'))
    expect(document).toMatchObject({ seq: 5, time: '2026-11-24T18:00:05.000Z' })
    const expected = await openStoreAt(seed, { dir, until: { seq: 5 } })
    expect(superjson.deserialize(document)).toEqual(expected.state)
  })

  it('loads a plain .mjs definition, and says what is wrong with a module that has none or several', async () => {
    const { dir } = await seeded()
    const mjs = join(dir, 'counter.mjs')
    writeFileSync(mjs, 'export const seed = { refs: { x: 0, y: 0, s: {} }, transactions: { add(s, a, b) { s.x += a; s.y += b }, swap(s) { [s.x, s.y] = [s.y, s.x] }, inc(s) { s.x++; s.y++ }, setS(s, v) { s.s = v } } }\n')
    const none = join(dir, 'none.mjs')
    writeFileSync(none, 'export const answer = 42\n')
    const [plain, several, empty, beyond] = await Promise.all([
      cli('replay', dir, '-d', mjs, '--until', '4'),
      cli('replay', dir, '-d', definitions),
      cli('replay', dir, '-d', none),
      cli('replay', dir, '-d', mjs, '--until', '9'),
    ])
    expect(plain.stdout).toBe('# state at seq 4 (2026-11-24T18:00:04.000Z)\n{ x: 23, y: 12, s: {} }\n')
    expect(several).toMatchObject({ code: 2, stderr: expect.stringContaining('exports several store definitions (bank, seed); choose one with --export NAME') })
    expect(empty).toMatchObject({ code: 2, stderr: expect.stringContaining('to export a store definition (made by defineStore: { refs, transactions }); it exports: answer') })
    expect(beyond).toMatchObject({ code: 2, stderr: expect.stringContaining('ends at seq 5; expected until.seq between 0 and 5, got 9') })
  })

  it('counts entries, bytes and transactions (stats)', async () => {
    const { dir, file, text, lines } = await seeded()
    const [plain, json] = await Promise.all([cli('stats', dir), cli('stats', dir, '--json')])
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain(`journal   ${file}`)
    expect(plain.stdout).toContain('entries   5 (seq 1 to 5)')
    expect(plain.stdout).toContain('first     2026-11-24T18:00:01.000Z')
    expect(plain.stdout).toContain('last      2026-11-24T18:00:05.000Z (4.0 s)')
    expect(plain.stdout).toMatch(/^add +2 +40\.0% +\d+$/m)
    expect(JSON.parse(json.stdout)).toMatchObject({
      bytes: Buffer.byteLength(text),
      entries: 5,
      damaged: 0,
      transactions: { add: { entries: 2, bytes: Buffer.byteLength(lines[0]) + Buffer.byteLength(lines[1]) + 2 }, swap: { entries: 1 }, inc: { entries: 1 }, setS: { entries: 1 } },
    })
  })

  it('exits 2 with a clear message for a directory that is not a store', async () => {
    const missing = join(tmpdir(), 'prevalent-cli-no-such-dir')
    const empty = mkdtempSync(join(tmpdir(), 'prevalent-cli-'))
    dirs.push(empty)
    const [a, b, c] = await Promise.all([cli('verify', missing), cli('stats', empty), cli('inspect', empty, '--from', 'x')])
    expect(a).toMatchObject({ code: 2, stderr: expect.stringContaining(`expected a store directory, but ${missing} does not exist`) })
    expect(b).toMatchObject({ code: 2, stderr: expect.stringContaining(`expected a journal at ${join(empty, 'journal.ndjson')}, found none`) })
    expect(c).toMatchObject({ code: 2, stderr: expect.stringContaining('expected a sequence number (an integer ≥ 0), got "x"') })
    expect(existsSync(join(empty, 'LOCK'))).toBe(false)
  })
})
