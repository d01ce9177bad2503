import { ident } from './schema.js'

/** The columns of a batch's rows, as arrays (one parameter each). @internal */
export interface EntryRows {
  readonly seq: number[]
  readonly time: string[]
  readonly name: string[]
  readonly line: string[]
}

const HEAD = /^\{"seq":(\d+),"time":"([^"]+)","tx":("(?:[^"\\]|\\.)*")/

/** Splits journal lines (as the store encodes them) into the columns of their rows. @internal */
export function entryRows(text: string): EntryRows {
  const rows: EntryRows = { seq: [], time: [], name: [], line: [] }
  for (const line of text.slice(0, -1).split('\n')) {
    const match = HEAD.exec(line)
    if (!match) throw new Error(`not a journal line: ${line.slice(0, 80)}`)
    rows.seq.push(Number(match[1]))
    rows.time.push(match[2])
    rows.name.push(JSON.parse(match[3]) as string)
    rows.line.push(line)
  }
  return rows
}

const statements = new Map<string, string>()

/**
 * The fenced append: moves the store's head from $2 to $3 only at epoch $4, and inserts the
 * rows only if it did — one statement, so one transaction and one round trip. With
 * `notify`, the statement also NOTIFYs channel $9 (every append then serialises on
 * PostgreSQL's notification lock). Resolves to a row `{ inserted }`.
 * @internal
 */
export function appendStatement(schema: string, notify: boolean): string {
  const key = `${schema}\u0000${notify}`
  let sql = statements.get(key)
  if (!sql) {
    const s = ident(schema)
    sql = `WITH fence AS (UPDATE ${s}.stores SET head = $3 WHERE name = $1 AND head = $2 AND epoch = $4 RETURNING head),
rows AS (INSERT INTO ${s}.journal (store, seq, time, name, line)
  SELECT $1, r.seq, r.time, r.name, r.line FROM unnest($5::bigint[], $6::timestamptz[], $7::text[], $8::text[]) AS r(seq, time, name, line)
  WHERE EXISTS (SELECT 1 FROM fence) RETURNING 1)${notify ? `,\nnote AS (SELECT pg_notify($9, $3::text) FROM fence)` : ''}
SELECT (SELECT count(*) FROM rows)::int AS inserted${notify ? ', (SELECT count(*) FROM note) AS notified' : ''}`
    statements.set(key, sql)
  }
  return sql
}
