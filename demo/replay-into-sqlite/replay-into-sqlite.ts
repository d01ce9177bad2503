// Replays a prevalent journal into SQLite rows: the same transactions, different handlers.
import Database from 'better-sqlite3'
import { openFileJournal } from '../../lib/index.js'

const schema = `
  CREATE TABLE accounts (id TEXT PRIMARY KEY, owner TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT);
  CREATE TABLE movements (
    seq INTEGER NOT NULL, account TEXT NOT NULL REFERENCES accounts(id), amount INTEGER NOT NULL,
    kind TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (seq, account)
  );
`

/**
 * Reads the journal of `dir` (read-only: no lock, so the live store may keep running) and
 * writes it as rows into a new SQLite database at `dbFile`. Returns the number of entries.
 */
export async function replayIntoSqlite(dir: string, dbFile: string): Promise<number> {
  const db = new Database(dbFile)
  db.exec(schema)
  const insertAccount = db.prepare('INSERT INTO accounts (id, owner, opened_at) VALUES (?, ?, ?)')
  const insertMovement = db.prepare('INSERT INTO movements (seq, account, amount, kind, at) VALUES (?, ?, ?, ?, ?)')
  const closeAccount = db.prepare('UPDATE accounts SET closed_at = ? WHERE id = ?')
  const journal = await openFileJournal(dir, { write: false })
  db.exec('BEGIN')
  try {
    // One handler per transaction name. `this` is the entry's context: this.seq, this.time,
    // and this.id() gives the very id the store's recipe gave.
    const count = await journal.replay({
      open(owner: string) {
        insertAccount.run(this.id(), owner, this.date().toISOString())
      },
      deposit(id: string, amount: number) {
        insertMovement.run(this.seq, id, amount, 'deposit', this.date().toISOString())
      },
      withdraw(id: string, amount: number) {
        insertMovement.run(this.seq, id, -amount, 'withdrawal', this.date().toISOString())
      },
      transfer(from: string, to: string, amount: number) {
        insertMovement.run(this.seq, from, -amount, 'transfer out', this.date().toISOString())
        insertMovement.run(this.seq, to, amount, 'transfer in', this.date().toISOString())
      },
      close(id: string) {
        closeAccount.run(this.date().toISOString(), id)
      },
    })
    db.exec('COMMIT')
    return count
  } catch (error) {
    db.exec('ROLLBACK')
    throw error
  } finally {
    await journal.close()
    db.close()
  }
}
