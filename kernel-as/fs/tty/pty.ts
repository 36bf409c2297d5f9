// Pseudo-terminals (Linux drivers/tty/pty.c, fs/devpts, drivers/tty/tty_jobctrl.c): opening
// /dev/ptmx makes a pair, a master file and a slave that appears as /dev/pts/N once unlocked.
// What the master writes is the slave's input through the line discipline (n_tty.ts); what
// the slave writes, with echo, is what the master reads.
//
// Job control: a session leader that opens the slave without O_NOCTTY, or asks TIOCSCTTY,
// makes it its controlling terminal; TIOCSPGRP picks the foreground process group, which gets
// SIGINT, SIGQUIT and SIGTSTP from the signal characters. When the master closes, the slave is
// hung up (its reads give 0, its writes EIO, the session gets SIGHUP); when every slave file
// is closed, master reads give EIO. A background process group that reads its controlling
// terminal gets SIGTTIN, one that writes it under TOSTOP or changes its settings SIGTTOU
// (tty_check_change(), job_control()), and the call runs again once the group is continued.
import { EAGAIN, EFAULT, EINVAL, EIO, ENOSPC, ENOTTY, ENXIO, EPERM, ESPIPE, ESRCH } from "../../abi/errno";
import {
  O_ACCMODE, O_CLOEXEC, O_NONBLOCK, PROT_READ, PROT_WRITE, RLIMIT_NOFILE, SIG_IGN, SIGCONT, SIGHUP, SIGTTIN, SIGTTOU,
  SIGWINCH,
  FIONREAD, TCFLSH, TCGETS, TCGETS2, TCSBRK, TCSETS, TCSETS2, TCSETSF, TCSETSF2, TCSETSW, TCSETSW2, TCXONC,
  TIOCGPGRP, TIOCGPTN, TIOCGPTPEER, TIOCGSID, TIOCGWINSZ, TIOCNOTTY, TIOCOUTQ, TIOCSCTTY, TIOCSPGRP, TIOCSPTLCK,
  TIOCSWINSZ,
} from "../../abi/linux";
import { Credentials } from "../../kernel/cred";
import { currentTask } from "../../kernel/current";
import { threadGroups } from "../../kernel/kernel";
import { monotonicNow } from "../../kernel/time";
import { SigInfo, sigBit, SI_KERNEL } from "../../kernel/signal";
import { sendSignal } from "../../kernel/signal_send";
import { Task, ThreadGroup } from "../../kernel/task";
import { FileDescription, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "../file";
import { fail } from "../vfs/error";
import { Inode, SuperBlock } from "../vfs/inode";
import { InodeFile } from "../vfs/inode_file";
import { Dentry, Path } from "../vfs/mount";
import { S_IFCHR } from "../vfs/stat";
import { initInode, newTmpfs, TmpfsDir } from "../tmpfs/tmpfs";
import { ByteQueue, LineDiscipline, N_TTY_BUF_SIZE, signalToSend, Termios, TERMIOS2_SIZE, TERMIOS_SIZE, TOSTOP, VMIN, VTIME } from "./n_tty";
import { O_NOCTTY } from "../vfs/open_flags";
import { orphanedPgrp, signalProcessGroup } from "../../kernel/signal_send";
import { park, RET_EXEC, wakeLater } from "../../kernel/sched";
import { getReg, ORIG_RAX, RAX, RIP, setReg } from "../../abi/regs";

/** Unix98 pty slaves have majors 136-143 (UNIX98_PTY_SLAVE_MAJOR). */
const SLAVE_MAJOR: u32 = 136;
const TTY_GID: u32 = 5;
/** How many ptys may be open at once (/proc/sys/kernel/pty/max's default). */
const PTY_MAX: i32 = 4096;
const TCIFLUSH: i32 = 0;
const TCIOFLUSH: i32 = 2;

/** The devpts instance mounted on /dev/pts: the slaves, by number, and ptmx. */
let devpts: TmpfsDir | null = null;
const ptys = new Map<i32, Pty>();

export class Pty {
  /** What the master reads: echo and the slave's output. */
  toMaster: ByteQueue;
  /** The slave's line discipline. */
  ld: LineDiscipline;
  masterTermios: Termios = Termios.raw();
  rows: u16 = 0;
  cols: u16 = 0;
  locked: bool = true;
  masterOpen: bool = true;
  slaveOpens: i32 = 0;
  slaveWasOpen: bool = false;
  /** The session this is the controlling terminal of (0: none) and its foreground group. */
  sid: i32 = 0;
  pgrp: i32 = 0;
  waiters: Task[] = [];
  /** /dev/pts/N (set by openPtmx). */
  slaveInode!: SlaveInode;

  constructor(public index: i32) {
    const q = new ByteQueue(N_TTY_BUF_SIZE * 4);
    this.toMaster = q;
    this.ld = new LineDiscipline(q);
  }

  wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (let i = 0; i < w.length; i++) wakeLater(w[i]);
  }

  /** Sends sig to every process of the foreground group (isig(), kill_pgrp()). */
  signalForeground(sig: i32): void {
    if (this.pgrp != 0) signalProcessGroup(this.pgrp, sig, new SigInfo(sig, SI_KERNEL, 0, 0));
  }

  /** The master is gone: the slave side hangs up (tty_vhangup()); the session's leader and
   *  foreground group get SIGHUP and SIGCONT, and nothing has it as controlling terminal. */
  hangUp(): void {
    this.masterOpen = false;
    const leader = this.sid != 0 && threadGroups.has(this.sid) ? threadGroups.get(this.sid) : null;
    if (leader !== null) {
      sendSignal(leader, SIGHUP, new SigInfo(SIGHUP, SI_KERNEL, 0, 0));
      sendSignal(leader, SIGCONT, new SigInfo(SIGCONT, SI_KERNEL, 0, 0));
    }
    this.signalForeground(SIGHUP);
    const all = threadGroups.values();
    for (let i = 0; i < all.length; i++) if (all[i].ctty === this) all[i].ctty = null;
    this.sid = 0;
    this.pgrp = 0;
    this.wakeAll();
    ptys.delete(this.index);
    // The number is free again: its entry and the dentry cached for it go.
    devpts!.unlink(this.index.toString(), this.slaveInode, false);
    devptsRoot!.dentry.forget(this.index.toString());
  }

  /** ioctls both ends take: window size and job control (tty_ioctl(), tty_jobctrl_ioctl()). */
  commonIoctl(t: Task, req: i32, buf: usize): i64 {
    const tg = t.tg;
    if (req == TIOCGWINSZ) {
      store<u16>(buf, this.rows);
      store<u16>(buf + 2, this.cols);
      store<u32>(buf + 4, 0);
      return 0;
    }
    if (req == TIOCSWINSZ) {
      const rows = load<u16>(buf);
      const cols = load<u16>(buf + 2);
      if (rows != this.rows || cols != this.cols) {
        this.rows = rows;
        this.cols = cols;
        this.signalForeground(SIGWINCH);
      }
      return 0;
    }
    if (req == TIOCSCTTY) return this.setControlling(tg);
    if (req == TIOCNOTTY) {
      if (tg.ctty !== this) return -ENOTTY;
      if (tg.sid == tg.tgid) {
        // The session leader gives the terminal up for the whole session.
        this.sid = 0;
        this.pgrp = 0;
      }
      tg.ctty = null;
      return 0;
    }
    if (req == TIOCGPGRP || req == TIOCGSID) {
      if (tg.ctty !== this) return -ENOTTY;
      store<i32>(buf, req == TIOCGPGRP ? this.pgrp : this.sid);
      return 0;
    }
    if (req == TIOCSPGRP) {
      if (tg.ctty !== this || this.sid != tg.sid) return -ENOTTY;
      const pgrp = load<i32>(buf);
      if (pgrp < 0) return -EINVAL;
      let found = false;
      const all = threadGroups.values();
      for (let i = 0; i < all.length; i++) {
        if (all[i].pgid == pgrp) {
          if (all[i].sid != this.sid) return -EPERM;
          found = true;
        }
      }
      if (!found) return -ESRCH;
      this.pgrp = pgrp;
      return 0;
    }
    if (req == TCSBRK || req == TCXONC) return 0; // output is never held back here
    return -ENOTTY;
  }

  /** TIOCSCTTY (tiocsctty()): a session leader without a controlling terminal takes this one,
   *  if no other session has it. */
  setControlling(tg: ThreadGroup): i64 {
    if (tg.ctty === this) return 0;
    if (tg.sid != tg.tgid || tg.ctty !== null) return -EPERM;
    if (this.sid != 0 && this.sid != tg.sid) return -EPERM;
    this.sid = tg.sid;
    this.pgrp = tg.pgid;
    tg.ctty = this;
    return 0;
  }

  /** Whether t may go on with an access of its controlling terminal from a background process
   *  group (job_control()): 0 to go on, -EIO when the signal is ignored or blocked or the
   *  group is orphaned (it could never be continued), or RET_EXEC after sending sig to the
   *  group with the syscall set to run again (it stops at its way out). */
  backgroundCheck(t: Task, sig: i32): i64 {
    const tg = t.tg;
    if (tg.ctty !== this || this.pgrp == 0 || tg.pgid == this.pgrp) return 0;
    const h = tg.handlers.get(sig).handler;
    if (h == SIG_IGN || (t.sigmask & sigBit(sig)) != 0) return sig == SIGTTOU ? 0 : -EIO;
    if (orphanedPgrp(tg.pgid)) return -EIO;
    signalProcessGroup(tg.pgid, sig, new SigInfo(sig, SI_KERNEL, 0, 0));
    // The `syscall` instruction again, with its number (ERESTARTSYS with no handler to run).
    setReg(RIP, getReg(RIP) - 2);
    setReg(RAX, getReg(ORIG_RAX));
    return RET_EXEC;
  }

  /** Opens the slave: EIO while locked or after a hang-up. Without O_NOCTTY, a session
   *  leader with no controlling terminal takes this one (tty_open_proc_set_tty()). */
  openSlave(flags: i32, path: Path): FileDescription | null {
    if (this.locked || !this.masterOpen) return fail<FileDescription>(EIO);
    const t = currentTask;
    if ((flags & O_NOCTTY) == 0 && t !== null && t.tg.sid == t.tg.tgid && t.tg.ctty === null && this.sid == 0) {
      this.setControlling(t.tg);
    }
    return new SlaveFile(flags & ~O_NOCTTY, path, this);
  }
}

/** /dev/pts/N. */
class SlaveInode extends Inode {
  constructor(sb: SuperBlock, public pty: Pty, cred: Credentials) {
    super(sb, S_IFCHR | 0o620);
    initInode(this, cred);
    this.gid = TTY_GID;
    this.rdev = <u64>(((<u32>pty.index & 0xff) | (SLAVE_MAJOR << 8) | ((<u32>pty.index & ~0xff) << 12)));
  }

  open(flags: i32, path: Path): FileDescription | null {
    return this.pty.openSlave(flags, path);
  }
}

/** The ends share the byte copying; each says where it reads from and how it writes. */
abstract class PtyEnd extends InodeFile {
  constructor(flags: i32, path: Path, public pty: Pty) {
    super(flags, path);
  }

  seekable(): bool { return false; }
  lseek(off: i64, whence: i32): i64 { return -ESPIPE; }

  pread(t: Task, addr: u64, len: u64, pos: i64): i64 { return -ESPIPE; }
  pwrite(t: Task, addr: u64, len: u64, pos: i64): i64 { return -ESPIPE; }

  pollWait(t: Task): i32 {
    this.pty.waiters.push(t);
    return -1;
  }

  /** Waits for the other side (EAGAIN when non-blocking). */
  protected wait(t: Task): i64 {
    if ((this.flags & O_NONBLOCK) != 0) return -EAGAIN;
    this.pty.waiters.push(t);
    return park(t, -1, -1, 0);
  }

  /** Feeds the app's bytes at addr to put (one byte at a time) until it refuses one; returns
   *  the count, or waits when nothing went in. */
  protected writeBytes(t: Task, addr: u64, len: u64, toSlave: bool): i64 {
    if (len == 0) return 0;
    const n = t.mm.accessibleLen(addr, len > 4096 ? 4096 : len, PROT_READ);
    if (n == 0) return -EFAULT;
    t.mm.copyIn(addr, IO_BUF, n);
    const pty = this.pty;
    let done: u64 = 0;
    while (done < n) {
      const c = load<u8>(IO_BUF + <usize>done);
      const ok = toSlave ? pty.ld.input(c) : pty.ld.output(c, pty.toMaster);
      if (!ok) break;
      done++;
      if (toSlave && signalToSend != 0) {
        const sig = signalToSend;
        signalToSend = 0;
        pty.signalForeground(sig);
      }
    }
    if (done > 0) pty.wakeAll();
    if (done == 0) return this.wait(t);
    return <i64>done;
  }
}

const IO_BUF: usize = memory.data(4096, 8);

export class MasterFile extends PtyEnd {
  read(t: Task, addr: u64, len: u64): i64 {
    const q = this.pty.toMaster;
    if (len == 0) return 0;
    if (q.len == 0) {
      if (this.pty.slaveWasOpen && this.pty.slaveOpens == 0) return -EIO;
      return this.wait(t);
    }
    let n = <u64>q.len < len ? <u64>q.len : len;
    if (n > 4096) n = 4096;
    n = t.mm.accessibleLen(addr, n, PROT_WRITE);
    if (n == 0) return -EFAULT;
    for (let i: u64 = 0; i < n; i++) store<u8>(IO_BUF + <usize>i, q.shift());
    t.mm.copyOut(addr, IO_BUF, n);
    this.pty.wakeAll();
    return <i64>n;
  }

  write(t: Task, addr: u64, len: u64): i64 {
    return this.writeBytes(t, addr, len, true);
  }

  poll(events: i32): i32 {
    const pty = this.pty;
    let r = 0;
    if (pty.toMaster.len > 0) r |= POLLIN | POLLRDNORM;
    if (pty.slaveWasOpen && pty.slaveOpens == 0) r |= POLLHUP;
    if (pty.ld.readable.room > 0) r |= POLLOUT | POLLWRNORM;
    return r & (events | POLLHUP);
  }

  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 {
    const pty = this.pty;
    if (req == TIOCGPTN) {
      store<u32>(buf, pty.index);
      return 0;
    }
    if (req == TIOCSPTLCK) {
      pty.locked = load<i32>(buf) != 0;
      return 0;
    }
    if (req == TIOCGPTPEER) {
      // Opens the slave without a path lookup (ptm_open_peer()).
      const flags = <i32>arg;
      if ((flags & ~(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) != 0) return -EINVAL;
      const d = new Dentry(pty.index.toString(), devptsRoot!.dentry, pty.slaveInode);
      const f = pty.openSlave(flags, new Path(devptsRoot!.mnt, d));
      if (f === null) return -EIO;
      const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
      return t.fdTable.install(f, 0, lim > 0x7fffffff ? 0x7fffffff : <i32>lim, (flags & O_CLOEXEC) != 0);
    }
    if (req == FIONREAD || req == TIOCOUTQ) {
      store<i32>(buf, req == FIONREAD ? pty.toMaster.len : 0);
      return 0;
    }
    if (req == TCGETS || req == TCGETS2) {
      pty.masterTermios.encode(buf, req == TCGETS ? TERMIOS_SIZE : TERMIOS2_SIZE);
      return 0;
    }
    if (req == TCSETS || req == TCSETSW || req == TCSETSF) {
      pty.masterTermios.decode(buf, TERMIOS_SIZE);
      return 0;
    }
    if (req == TCSETS2 || req == TCSETSW2 || req == TCSETSF2) {
      pty.masterTermios.decode(buf, TERMIOS2_SIZE);
      return 0;
    }
    if (req == TCFLSH) return flush(pty, <i32>arg);
    return pty.commonIoctl(t, req, buf);
  }

  release(): void {
    super.release();
    this.pty.hangUp();
  }
}

function flush(pty: Pty, which: i32): i64 {
  if (which < TCIFLUSH || which > TCIOFLUSH) return -EINVAL;
  if (which != 1) pty.ld.flush(); // TCIFLUSH, TCIOFLUSH: the slave's input
  if (which != TCIFLUSH) pty.toMaster.clear();
  pty.wakeAll();
  return 0;
}

export class SlaveFile extends PtyEnd {
  constructor(flags: i32, path: Path, pty: Pty) {
    super(flags, path, pty);
    pty.slaveOpens++;
    pty.slaveWasOpen = true;
  }

  read(t: Task, addr: u64, len: u64): i64 {
    const pty = this.pty;
    if (!pty.masterOpen) return 0;
    const bg = pty.backgroundCheck(t, SIGTTIN);
    if (bg != 0) return bg;
    const ld = pty.ld;
    const tio = ld.termios;
    let avail = ld.available();
    if (!tio.canonical && avail >= 0) {
      // Non-canonical: VMIN bytes make a read complete (fewer if the buffer is smaller).
      const min = <i32>tio.cc[VMIN];
      const want = <u64>min < len ? min : <i32>len;
      if (avail < want && tio.cc[VTIME] == 0) avail = -1;
    }
    if (avail < 0) {
      if (!tio.canonical && tio.cc[VMIN] == 0) {
        // VMIN 0: a read returns what is there, after VTIME tenths of a second at most.
        const vtime = <i64>tio.cc[VTIME];
        if (vtime == 0) return 0;
        if (t.restartDeadline >= 0 && monotonicNow() >= t.restartDeadline) return 0;
        if (t.restartDeadline < 0) t.restartDeadline = monotonicNow() + vtime * 100000000;
        if ((this.flags & O_NONBLOCK) != 0) return -EAGAIN;
        pty.waiters.push(t);
        return park(t, t.restartDeadline, -1, 0);
      }
      return this.wait(t);
    }
    let n = <u64>avail < len ? <u64>avail : len;
    if (n > 4096) n = 4096;
    if (n > 0) {
      n = t.mm.accessibleLen(addr, n, PROT_WRITE);
      if (n == 0) return -EFAULT;
    }
    ld.take(<i32>n, IO_BUF);
    if (n > 0) t.mm.copyOut(addr, IO_BUF, n);
    pty.wakeAll();
    return <i64>n;
  }

  write(t: Task, addr: u64, len: u64): i64 {
    if (!this.pty.masterOpen) return -EIO;
    if ((this.pty.ld.termios.lflag & TOSTOP) != 0) {
      const bg = this.pty.backgroundCheck(t, SIGTTOU);
      if (bg != 0) return bg;
    }
    return this.writeBytes(t, addr, len, false);
  }

  poll(events: i32): i32 {
    const pty = this.pty;
    if (!pty.masterOpen) return (POLLIN | POLLRDNORM | POLLHUP) & (events | POLLHUP);
    let r = 0;
    if (pty.ld.available() >= 0) r |= POLLIN | POLLRDNORM;
    if (pty.toMaster.room > 0) r |= POLLOUT | POLLWRNORM;
    return r & events;
  }

  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 {
    const pty = this.pty;
    const ld = pty.ld;
    if (req == TCGETS || req == TCGETS2) {
      ld.termios.encode(buf, req == TCGETS ? TERMIOS_SIZE : TERMIOS2_SIZE);
      return 0;
    }
    if (req == TCSETS || req == TCSETSW || req == TCSETSF || req == TCSETS2 || req == TCSETSW2 || req == TCSETSF2) {
      const bg = pty.backgroundCheck(t, SIGTTOU);
      if (bg != 0) return bg;
      const wasCanonical = ld.termios.canonical;
      if (req == TCSETSF || req == TCSETSF2) ld.flush();
      ld.termios.decode(buf, req == TCSETS || req == TCSETSW || req == TCSETSF ? TERMIOS_SIZE : TERMIOS2_SIZE);
      ld.settingsChanged(wasCanonical);
      pty.wakeAll();
      return 0;
    }
    if (req == FIONREAD) {
      store<i32>(buf, ld.readable.len);
      return 0;
    }
    if (req == TIOCOUTQ) {
      store<i32>(buf, pty.toMaster.len);
      return 0;
    }
    if (req == TCFLSH) return flush(pty, <i32>arg);
    return pty.commonIoctl(t, req, buf);
  }

  release(): void {
    super.release();
    this.pty.slaveOpens--;
    this.pty.wakeAll();
  }
}

/** /dev/pts as a Path, for slaves opened without a lookup (TIOCGPTPEER). */
let devptsRoot: Path | null = null;

/** Opens /dev/ptmx: a new pair, its slave locked until TIOCSPTLCK 0 (ptmx_open()). */
export function openPtmx(flags: i32, path: Path): FileDescription | null {
  if (ptys.size >= PTY_MAX) return fail<FileDescription>(ENOSPC);
  let index = 0;
  while (ptys.has(index)) index++;
  const t = currentTask;
  const cred = t !== null ? t.tg.cred : new Credentials(0, 0, 0, 0);
  const pty = new Pty(index);
  pty.slaveInode = new SlaveInode(devpts!.sb, pty, cred);
  ptys.set(index, pty);
  devpts!.insert(index.toString(), pty.slaveInode);
  return new MasterFile(flags, path, pty);
}

/** Opens /dev/tty: the caller's controlling terminal, or ENXIO without one. */
export function openControllingTty(flags: i32, path: Path): FileDescription | null {
  const t = currentTask;
  if (t === null || t.tg.ctty === null) return fail<FileDescription>(ENXIO);
  const pty = t.tg.ctty!;
  return pty.openSlave(flags | O_NOCTTY, path);
}

/** A new devpts: its root directory (the caller mounts it on /dev/pts and tells setDevptsRoot
 *  where). */
export function newDevpts(): TmpfsDir {
  devpts = newTmpfs(0o755);
  return devpts!;
}

export function setDevptsRoot(p: Path): void {
  devptsRoot = p;
}
