// eventfd (Linux fs/eventfd.c): a 64-bit counter that writes add to and reads take (all of
// it, or one with EFD_SEMAPHORE). A read of zero and a write that would overflow wait (or give
// EAGAIN when non-blocking).
import { EAGAIN, EFAULT, EINVAL } from "../abi/errno";
import { O_NONBLOCK } from "../abi/linux";
import { park, wakeLater } from "../kernel/sched";
import { Task } from "../kernel/task";
import { FileDescription, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "./file";

export const EFD_SEMAPHORE: i32 = 1;
const MAX: u64 = 0xfffffffffffffffe;
const BUF: usize = memory.data(8, 8);

export class EventFd extends FileDescription {
  anonName(): string { return "anon_inode:[eventfd]"; }

  waiters: Task[] = [];

  constructor(flags: i32, public count: u64, public semaphore: bool) {
    super(flags);
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (let i = 0; i < w.length; i++) wakeLater(w[i]);
  }

  read(t: Task, addr: u64, len: u64): i64 {
    if (len < 8) return -EINVAL;
    if (this.count == 0) {
      if ((this.flags & O_NONBLOCK) != 0) return -EAGAIN;
      this.waiters.push(t);
      return park(t, -1, -1, 0);
    }
    const v: u64 = this.semaphore ? 1 : this.count;
    store<u64>(BUF, v);
    if (t.mm.copyOut(addr, BUF, 8) < 0) return -EFAULT;
    this.count -= v;
    this.wakeAll();
    return 8;
  }

  write(t: Task, addr: u64, len: u64): i64 {
    if (len < 8) return -EINVAL;
    if (t.mm.copyIn(addr, BUF, 8) < 0) return -EFAULT;
    const v = load<u64>(BUF);
    if (v == 0xffffffffffffffff) return -EINVAL;
    if (v > MAX - this.count) {
      if ((this.flags & O_NONBLOCK) != 0) return -EAGAIN;
      this.waiters.push(t);
      return park(t, -1, -1, 0);
    }
    this.count += v;
    this.wakeAll();
    return 8;
  }

  poll(events: i32): i32 {
    let r = 0;
    if (this.count > 0) r |= POLLIN | POLLRDNORM;
    if (this.count < MAX) r |= POLLOUT | POLLWRNORM;
    return r & events;
  }

  pollWait(t: Task): i32 {
    this.waiters.push(t);
    return -1;
  }
}
