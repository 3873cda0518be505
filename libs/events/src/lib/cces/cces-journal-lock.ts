import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CcesError, CcesErrorCode } from './cces-error-code';

/**
 * The lock on a journal's folder: a file holding the pid of the process that has the journal open (a
 * stale one, whose process is gone, is taken over), plus the folders open in this very process.
 */
const LOCK_FILE = 'cces-journal.lock';

/** Journal folders open in this process (the lock file cannot tell us apart from ourselves). */
const heldHere = new Set<string>();

export async function takeLock(key: string): Promise<void> {
  if (heldHere.has(key)) {
    throw new CcesError(CcesErrorCode.JournalLocked, `journal ${key} is already open in this process`);
  }
  heldHere.add(key);
  const lock = join(key, LOCK_FILE);
  try {
    await writeFile(lock, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      heldHere.delete(key);
      throw error;
    }
    const holder = await readFile(lock, 'utf8').then(
      (text) => (JSON.parse(text) as { pid?: unknown }).pid,
      () => undefined,
    );
    if (typeof holder === 'number' && holder !== process.pid && isAlive(holder)) {
      heldHere.delete(key);
      throw new CcesError(CcesErrorCode.JournalLocked, `journal ${key} is held by live process ${holder}`);
    }
    // A stale lock: its process is gone (or it is our own pid from a previous life in a fresh container).
    await writeFile(lock, JSON.stringify({ pid: process.pid }));
  }
}

export async function releaseLock(key: string): Promise<void> {
  heldHere.delete(key);
  await unlink(join(key, LOCK_FILE)).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
