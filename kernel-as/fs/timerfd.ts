// timerfd (Linux fs/timerfd.c): a timer whose expirations are read as a u64 count from a file
// instead of arriving as signals. It rides on the kernel's timer list (kernel/timers.ts).
import { EAGAIN, EFAULT, EINVAL } from "../abi/errno";
import { O_NONBLOCK } from "../abi/linux";
import { park, wakeLater } from "../kernel/sched";
import { Task } from "../kernel/task";
import { KTimer, timers } from "../kernel/timers";
import { FileDescription, POLLIN, POLLRDNORM } from "./file";

const BUF: usize = memory.data(8, 8);

export class TimerFd extends FileDescription {
  anonName(): string { return "anon_inode:[timerfd]"; }

  expirations: u64 = 0;
  waiters: Task[] = [];

  constructor(flags: i32, public timer: KTimer) {
    super(flags);
  }

  /** Called by the timer list when the timer fires (count expirations, overruns included). */
  expire(count: u64): void {
    this.expirations += count;
    const w = this.waiters;
    this.waiters = [];
    for (let i = 0; i < w.length; i++) wakeLater(w[i]);
  }

  read(t: Task, addr: u64, len: u64): i64 {
    if (len < 8) return -EINVAL;
    if (this.expirations == 0) {
      if ((this.flags & O_NONBLOCK) != 0) return -EAGAIN;
      this.waiters.push(t);
      return park(t, -1, -1, 0);
    }
    store<u64>(BUF, this.expirations);
    if (t.mm.copyOut(addr, BUF, 8) < 0) return -EFAULT;
    this.expirations = 0;
    return 8;
  }

  poll(events: i32): i32 {
    return this.expirations > 0 ? events & (POLLIN | POLLRDNORM) : 0;
  }

  pollWait(t: Task): i32 {
    this.waiters.push(t);
    return -1;
  }

  release(): void {
    const i = timers.indexOf(this.timer);
    if (i >= 0) timers.splice(i, 1);
  }
}
