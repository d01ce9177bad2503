// The replicas demo: a writer, a follower and a standby as three processes on PostgreSQL.
// The writer is killed (SIGKILL); the standby takes over once its lease expires; the follower
// never stops showing the orders, from either writer.
//
//   npm run demo:replicas        (PREVALENT_PG: the server, default postgres://postgres@127.0.0.1:5432/test)
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const url = process.env.PREVALENT_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `prevalent_demo_${process.pid}`
const leaseMs = 2000
const node = fileURLToPath(new URL('./node.ts', import.meta.url))
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const waiting: Array<{ text: string; resolve: () => void }> = []

/** Starts one process; its lines are echoed here. */
function start(role: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', node, role, url, schema, String(leaseMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
  createInterface({ input: child.stdout! }).on('line', (line) => {
    console.log(line)
    for (const waiter of waiting.filter((w) => line.includes(w.text))) {
      waiting.splice(waiting.indexOf(waiter), 1)
      waiter.resolve()
    }
  })
  return child
}

/** Resolves once some process prints a line holding `text`. */
const printed = (text: string): Promise<void> => new Promise((resolve) => waiting.push({ text, resolve }))

const pool = new pg.Pool({ connectionString: url })
const children: ChildProcess[] = []
try {
  const writer = start('writer')
  children.push(writer)
  await printed('placed order seq 10')
  children.push(start('follower'), start('standby'))
  await Promise.all([printed('[follower') , printed('[standby ] following')])
  await wait(2000)
  console.log(`\n--- killing the writer (pid ${writer.pid}) with SIGKILL; lease ${leaseMs} ms ---\n`)
  const killedAt = Date.now()
  writer.kill('SIGKILL')
  await printed('took over')
  await wait(2000)
  const { rows } = await pool.query(`SELECT count(*)::int AS entries, max(seq)::int AS head, count(DISTINCT seq)::int AS distinct FROM "${schema}".journal`)
  const byWriter = await pool.query(`SELECT line FROM "${schema}".journal ORDER BY seq`)
  const firstOfStandby = byWriter.rows.findIndex((row) => row.line.includes('"standby"'))
  console.log(`\n--- ${Date.now() - killedAt} ms after the kill: ${rows[0].entries} entries, head seq ${rows[0].head}, seq dense: ${rows[0].entries === rows[0].head && rows[0].distinct === rows[0].head}; the standby's orders start at seq ${firstOfStandby + 1} ---`)
} finally {
  for (const child of children) child.kill('SIGKILL')
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
  await pool.end()
}
