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

/**
 * A store directory with snapshots and segments: entries 1-3 in journal.ndjson, a snapshot at
 * seq 3, entries 4-5 in journal-000000000004.ndjson, a snapshot at seq 5, entry 6 in
 * journal-000000000006.ndjson; one second apart from 18:00:01.
 */
async function segmented(): Promise<{ dir: string; segments: string[]; snapshots: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'prevalent-cli-'))
  dirs.push(dir)
  let now = T0
  const store = await openStore(seed, { dir, clock: () => (now += 1000), snapshots: false })
  await store.dispatch('add', 1, 2)
  await store.dispatch('add', 10, 20)
  await store.dispatch('swap')
  await store.snapshot()
  await store.dispatch('inc')
  await store.dispatch('setS', { a: 'bb', key: new Set(['val1', 'val2']), n: 10n })
  await store.snapshot()
  await store.dispatch('inc')
  await store.close()
  const segments = ['journal.ndjson', 'journal-000000000004.ndjson', 'journal-000000000006.ndjson'].map((name) => join(dir, name))
  const snapshots = ['snapshot-000000000003.ndjson', 'snapshot-000000000005.ndjson'].map((name) => join(dir, name))
  return { dir, segments, snapshots }
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
    expect(run.stdout).toContain(`3 problems: a store refuses to open this directory (first: ${file} at byte ${offsetOf(damaged, 1)} (seq 2))`)
    const json = JSON.parse((await cli('verify', dir, '--json')).stdout)
    expect(json).toMatchObject({ ok: false, entries: 3, problems: [{ kind: 'damaged-entry', seq: 2 }, { kind: 'damaged-entry', seq: 3 }, { kind: 'torn-tail' }] })
  })

  it('reports a sequence gap once, and a torn tail alone with exit code 1', async () => {
    const { dir, file, lines, text } = await seeded()
    writeFileSync(file, [lines[0], lines[1], lines[3], lines[4]].join('\n') + '\n')
    const gap = await cli('verify', dir)
    expect(gap.code).toBe(1)
    expect(gap.stdout).toContain(`${file} at byte ${offsetOf(lines, 2)} (seq 3): sequence broken: expected seq 3, found seq 4`)
    expect(gap.stdout).toContain('1 problem: a store refuses to open this directory')
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
    expect(plain.stdout).toContain(`store     ${dir}`)
    expect(plain.stdout).toContain(`journal   ${Buffer.byteLength(text)} bytes in 1 segment`)
    expect(plain.stdout).not.toContain(file)
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

  it('verifies a directory of segments and snapshots as one chain, noting a leftover temporary file', async () => {
    const { dir, segments, snapshots } = await segmented()
    writeFileSync(join(dir, 'snapshot-000000000007.ndjson.tmp'), '{"snapshot":1,"seq":7')
    const size = (file: string): number => readFileSync(file).length
    const run = await cli('verify', dir)
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `${segments[0]}: 3 valid entries (seq 1 to 3), ${size(segments[0])} bytes`,
        `${segments[1]}: 2 valid entries (seq 4 to 5), ${size(segments[1])} bytes`,
        `${segments[2]}: 1 valid entry (seq 6), ${size(segments[2])} bytes`,
        `${snapshots[0]}: whole snapshot at seq 3, ${size(snapshots[0])} bytes`,
        `${snapshots[1]}: whole snapshot at seq 5, ${size(snapshots[1])} bytes`,
        `note: ${join(dir, 'snapshot-000000000007.ndjson.tmp')}: temporary file of a snapshot write a crash cut short; not a problem (the next open of the store removes it)`,
        'ok: every checksum matches and the sequence has no gaps; a store opens from the snapshot at seq 5, and the segments after it join up',
        '',
      ].join('\n'),
    })
    // Segments removed after a snapshot (retention): the chain starts at the snapshot.
    rmSync(segments[0])
    const pruned = await cli('verify', dir, '--json')
    expect(pruned.code).toBe(0)
    expect(JSON.parse(pruned.stdout)).toMatchObject({ ok: true, entries: 3, firstSeq: 4, lastSeq: 6, opensFromSnapshot: 5, problems: [] })
  })

  it('names entries missing between segments and whether a store still opens, with exit code 1', async () => {
    const { dir, segments, snapshots } = await segmented()
    rmSync(segments[1])
    const gap = `${segments[2]} at byte 0: entries seq 4 to 5 are missing (between ${segments[0]} and ${segments[2]})`
    const covered = await cli('verify', dir)
    expect(covered.code).toBe(1)
    expect(covered.stdout.split('\n')[0]).toBe(gap)
    expect(covered.stdout).toContain('1 problem: a store still opens (from the snapshot at seq 5), but what is named above is lost or damaged')
    rmSync(snapshots[1])
    const broken = await cli('verify', dir)
    expect(broken.code).toBe(1)
    expect(broken.stdout).toContain(`1 problem: a store refuses to open this directory (first: ${segments[2]} at byte 0)`)
    const error = await openStore(seed, { dir }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'JOURNAL_GAP' })
    // The first segment gone too, and no snapshot covering its entries.
    rmSync(segments[0])
    rmSync(snapshots[0])
    const uncovered = await cli('verify', dir)
    expect(uncovered.code).toBe(1)
    expect(uncovered.stdout).toContain(`${segments[2]} at byte 0: entries seq 1 to 5 are missing (before ${segments[2]}, the first segment), and no whole snapshot at seq 5 or later covers them`)
  })

  it('accepts an empty newest segment, and reports a torn tail in an older segment as damage, not as a tail to cut', async () => {
    const { dir, segments } = await segmented()
    const empty = join(dir, 'journal-000000000007.ndjson')
    writeFileSync(empty, '')
    const ok = await cli('verify', dir)
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain(`${empty}: 0 valid entries, 0 bytes`)
    const size = readFileSync(segments[1]).length
    writeFileSync(segments[1], readFileSync(segments[1], 'utf8') + '{"seq":6,"ti')
    const torn = await cli('verify', dir)
    expect(torn.code).toBe(1)
    expect(torn.stdout.split('\n')[0]).toBe(`${segments[1]} at byte ${size}: torn entry, 12 bytes without a line break, at the end of an older segment (${segments[2]} follows it)`)
    expect(torn.stdout).toContain('1 problem: a store still opens (from the snapshot at seq 5)')
    const repair = await cli('repair', dir, '--yes')
    expect(repair.code).toBe(1)
    expect(repair.stdout).toContain(`${empty}, the newest segment, needs no cut. 1 problem elsewhere`)
    expect(readFileSync(segments[1]).length).toBe(size + 12)
  })

  it('names a damaged snapshot by file and line, and numbers damage in a later segment by its own seq', async () => {
    const { dir, segments, snapshots } = await segmented()
    // x is 23 at seq 5: a changed value still parses, so only the checksum can tell.
    writeFileSync(snapshots[1], readFileSync(snapshots[1], 'utf8').replace('{"ref":"x","json":[23]}', '{"ref":"x","json":[24]}'))
    const lines = readFileSync(segments[1], 'utf8').split('\n')
    writeFileSync(segments[1], [lines[0], lines[1].replace('"setS"', '"setT"'), ''].join('\n'))
    const run = await cli('verify', dir)
    expect(run.code).toBe(1)
    const footer = readFileSync(snapshots[1], 'utf8').trimEnd().split('\n').length
    expect(run.stdout).toMatch(new RegExp(`^${snapshots[1]} line ${footer}: checksum mismatch \\(footer says`, 'm'))
    expect(run.stdout).toContain(`${segments[1]} at byte ${Buffer.byteLength(lines[0]) + 1} (seq 5): checksum mismatch`)
    expect(run.stdout).toContain(`${snapshots[1]}: DAMAGED snapshot at seq 5`)
    // The store falls back to the snapshot at seq 3 and reads the damaged segment: it refuses.
    expect(run.stdout).toContain(`2 problems: a store refuses to open this directory (first: ${segments[1]} at byte`)
    const json = JSON.parse((await cli('verify', dir, '--json')).stdout)
    expect(json.problems).toEqual([
      expect.objectContaining({ kind: 'damaged-snapshot', file: snapshots[1], line: footer, seq: 5, blocksOpen: false }),
      expect.objectContaining({ kind: 'damaged-entry', file: segments[1], seq: 5, blocksOpen: true }),
    ])
  })

  it('inspects and counts entries across segments, and lists segments and snapshots (stats)', async () => {
    const { dir, segments, snapshots } = await segmented()
    const [inspect, from, plain, json] = await Promise.all([cli('inspect', dir), cli('inspect', dir, '--from', '3', '--to', '4'), cli('stats', dir), cli('stats', dir, '--json')])
    expect(inspect).toMatchObject({ code: 0, stderr: '' })
    expect(inspect.stdout.match(/^ +\d+/gm)?.map(Number)).toEqual([1, 2, 3, 4, 5, 6])
    expect(from.stdout).toBe('      3  2026-11-24T18:00:03.000Z  swap()\n      4  2026-11-24T18:00:04.000Z  inc()\n')
    expect(plain.code).toBe(0)
    expect(plain.stdout).toMatch(/^journal   \d+ bytes in 3 segments$/m)
    expect(plain.stdout).toMatch(/^snapshots 2 \(seq 3, 5\), /m)
    expect(plain.stdout).toContain('entries   6 (seq 1 to 6)')
    expect(plain.stdout).toMatch(new RegExp(`^${segments[1]} +2 +4 to 5 +\\d+$`, 'm'))
    expect(plain.stdout).toMatch(new RegExp(`^${snapshots[0]} +snapshot +3 +\\d+$`, 'm'))
    expect(JSON.parse(json.stdout)).toMatchObject({
      entries: 6,
      segments: [
        { file: segments[0], firstSeq: 1, entries: 3, firstEntry: 1, lastEntry: 3 },
        { file: segments[1], firstSeq: 4, entries: 2, firstEntry: 4, lastEntry: 5 },
        { file: segments[2], firstSeq: 6, entries: 1, firstEntry: 6, lastEntry: 6 },
      ],
      snapshots: [{ file: snapshots[0], seq: 3 }, { file: snapshots[1], seq: 5 }],
    })
  })

  it('repairs a torn newest segment, leaves damage in an older one with advice, and moves a damaged snapshot aside on request', async () => {
    const { dir, segments, snapshots } = await segmented()
    const newest = readFileSync(segments[2], 'utf8')
    writeFileSync(segments[2], newest + '{"seq":7,"ti')
    const torn = await cli('repair', dir, '--yes')
    expect(torn.code).toBe(0)
    expect(torn.stdout).toContain(`${segments[2]}: `)
    expect(torn.stdout).toContain(`cutting at byte ${Buffer.byteLength(newest)} removes 12 bytes: a torn last entry of 12 bytes`)
    expect(torn.stdout).toContain('after the cut the journal ends at seq 6 (2026-11-24T18:00:06.000Z)')
    expect(readFileSync(segments[2], 'utf8')).toBe(newest)
    const backups = readdirSync(dir).filter((name) => name.startsWith('journal-000000000006.ndjson.removed-'))
    expect(backups.map((name) => readFileSync(join(dir, name), 'utf8'))).toEqual(['{"seq":7,"ti'])

    const older = readFileSync(segments[0], 'utf8')
    writeFileSync(segments[0], older.replace('[10,20]', '[90,20]'))
    // A snapshot write cut short after its header line.
    writeFileSync(snapshots[0], readFileSync(snapshots[0], 'utf8').split('\n')[0] + '\n')
    const refused = await cli('repair', dir, '--yes')
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain(`${segments[2]}, the newest segment, needs no cut. 2 problems elsewhere, which repair does not cut:`)
    expect(refused.stdout).toContain(`-> this is an older segment: cutting it would drop every later segment, so repair leaves it; restore ${segments[0]} from a backup`)
    expect(refused.stdout).toContain(`repair ${dir} --drop-snapshot 3\` moves it aside`)
    expect(readFileSync(segments[0], 'utf8')).toBe(older.replace('[10,20]', '[90,20]'))

    const [whole, dropped] = [await cli('repair', dir, '--drop-snapshot', '5'), await cli('repair', dir, '--drop-snapshot', '3')]
    expect(whole).toMatchObject({ code: 1, stderr: expect.stringContaining(`${snapshots[1]} is whole (every line and its checksum verified); refusing to move it aside`) })
    expect(dropped.code).toBe(0)
    expect(dropped.stdout).toContain(`${snapshots[0]} line 2: it ends after 1 line(s) without its footer`)
    expect(readdirSync(dir).filter((name) => name.startsWith('snapshot-'))).toEqual([expect.stringMatching(/^snapshot-000000000003\.ndjson\.removed-\d{8}T\d{9}Z$/), 'snapshot-000000000005.ndjson'])
  })

  it('replays across segments from a snapshot, also once the first segments are gone, and refuses a point before what is kept', async () => {
    const { dir, segments } = await segmented()
    const [at4, all] = await Promise.all([cli('replay', dir, '-d', definitions, '-e', 'seed', '--until', '4'), cli('replay', dir, '-d', definitions, '-e', 'seed')])
    expect(at4).toEqual({ code: 0, stderr: '', stdout: '# state at seq 4 (2026-11-24T18:00:04.000Z)\n{ x: 23, y: 12, s: {} }\n' })
    const last = "# state at seq 6 (2026-11-24T18:00:06.000Z)\n{ x: 24, y: 13, s: { a: 'bb', key: Set(2) { 'val1', 'val2' }, n: 10n } }\n"
    expect(all.stdout).toBe(last)
    const healthy = readFileSync(segments[1], 'utf8')
    writeFileSync(segments[1], healthy.replace('"inc"', '"inx"'))
    const damaged = await cli('replay', dir, '-d', definitions, '-e', 'seed', '--until', '4')
    expect(damaged).toMatchObject({ code: 2, stderr: expect.stringContaining(`journal ${segments[1]} is damaged at byte offset 0 (entry seq 4)`) })
    writeFileSync(segments[1], healthy)
    rmSync(segments[0])
    const [pruned, before] = await Promise.all([cli('replay', dir, '-d', definitions, '-e', 'seed', '--until', '4'), cli('replay', dir, '-d', definitions, '-e', 'seed', '--until', '2026-11-24T18:00:02Z')])
    expect(pruned).toEqual({ code: 0, stderr: '', stdout: at4.stdout })
    expect(before).toMatchObject({ code: 2, stderr: expect.stringContaining(`the state at 2026-11-24T18:00:02.000Z cannot be rebuilt from ${dir}: entries seq 1 to 3 were removed after a snapshot; the earliest point is seq 3 (2026-11-24T18:00:03.000Z, ${join(dir, 'snapshot-000000000003.ndjson')})`) })
  })
})
