// Named pipes (Linux fs/pipe.c, fifo_open()): a FIFO inode of any file system gets a pipe
// when it is first opened, kept while any end is open; every open of the inode shares it.
// Opening one side waits for the other: O_RDONLY until a writer opens, O_WRONLY until a
// reader does (O_NONBLOCK: a reader opens at once, a writer without a reader gets ENXIO);
// O_RDWR never waits. As in gVisor, a FIFO served by the Gofer is a pipe inside the sandbox,
// not a connection to the host's FIFO.
import { ENXIO } from "../abi/errno";
import { O_ACCMODE, O_NONBLOCK, O_RDONLY, O_WRONLY } from "../abi/linux";
import { park } from "../kernel/sched";
import { Task } from "../kernel/task";
import { Pipe, PipeEnd } from "./pipe";
import { Inode } from "./vfs/inode";
import { Attr, encodeStat } from "./vfs/stat";
import { Path } from "./vfs/mount";

/** The pipe of each FIFO inode that has (or had) open ends. */
const pipes = new Map<Inode, Pipe>();

/** An open end of a FIFO: a pipe end that stats as the FIFO's inode. */
export class FifoEnd extends PipeEnd {
  constructor(flags: i32, pipe: Pipe, public path: Path) {
    super(flags, pipe);
  }

  stat(dst: usize): i32 {
    const a = new Attr();
    this.path.inode.getattr(a);
    encodeStat(a, dst);
    return 0;
  }

  release(): void {
    super.release();
    const p = this.pipe;
    if (p.readers == 0 && p.writers == 0 && p.waiters.length == 0) pipes.delete(this.path.inode);
  }
}

/** Opens the FIFO at path: the new end, or null with fifoError -ENXIO, or RET_BLOCK when the
 *  open waits for the other side (the task keeps the end in pendingOpen; the open runs again
 *  when woken, and returns the end once the other side has come). */
export function fifoOpen(t: Task, path: Path, flags: i32): FifoEnd | null {
  let end = t.pendingOpen;
  if (end === null) {
    const inode = path.inode;
    let p: Pipe;
    if (pipes.has(inode)) p = pipes.get(inode);
    else {
      p = new Pipe();
      pipes.set(inode, p);
    }
    const acc = flags & O_ACCMODE;
    if (acc == O_WRONLY && (flags & O_NONBLOCK) != 0 && p.readers == 0) {
      fifoError = -ENXIO;
      return null;
    }
    const fresh = new FifoEnd(flags, p, path);
    if (fresh.readable) p.readOpens++;
    if (fresh.writable) p.writeOpens++;
    p.wakeAll();
    // Only a one-sided blocking open waits, and only while the other side is missing.
    if (acc == O_RDONLY && ((flags & O_NONBLOCK) != 0 || p.writers > 0)) return fresh;
    if (acc != O_RDONLY && (acc != O_WRONLY || p.readers > 0)) return fresh;
    t.pendingOpen = fresh;
    end = fresh;
    t.pendingOpenCount = acc == O_RDONLY ? p.writeOpens : p.readOpens;
  }
  // Waiting: done once the other side has opened since (even if it closed again).
  const p = end.pipe;
  const now = end.writable ? p.readOpens : p.writeOpens;
  if (now != t.pendingOpenCount) {
    t.pendingOpen = null;
    return <FifoEnd>end;
  }
  p.waiters.push(t);
  fifoError = <i32>park(t, -1, -1, 0);
  return null;
}

/** Why the last fifoOpen returned null: -errno or RET_BLOCK. */
export let fifoError: i32 = 0;

/** Gives up t's waiting FIFO open (a signal interrupted it, or the task died). */
export function dropPendingOpen(t: Task): void {
  const end = t.pendingOpen;
  if (end === null) return;
  t.pendingOpen = null;
  end.put();
}
