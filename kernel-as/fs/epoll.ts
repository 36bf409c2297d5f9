// epoll (Linux fs/eventpoll.c): an interest list of (fd, file) entries with the events asked
// and the user data; a wait collects the ready ones. Level-triggered by default; EPOLLET
// reports a readiness only when it appears (not again while it lasts); EPOLLONESHOT disarms an
// entry after one report until EPOLL_CTL_MOD. An entry whose fd no longer names its file
// (closed) is dropped, as Linux drops it when the file goes.
import { Task } from "../kernel/task";
import { noteHostFd } from "../kernel/sched";
import { FileDescription, POLLERR, POLLHUP, POLLIN } from "./file";

export const EPOLLIN: u32 = 0x001;
export const EPOLLERR: u32 = 0x008;
export const EPOLLHUP: u32 = 0x010;
export const EPOLLEXCLUSIVE: u32 = 1 << 28;
export const EPOLLWAKEUP: u32 = 1 << 29;
export const EPOLLONESHOT: u32 = 1 << 30;
export const EPOLLET: u32 = 1 << 31;

export class EpollEntry {
  /** The readiness last reported (for EPOLLET). */
  reported: i32 = 0;
  disarmed: bool = false;

  constructor(public fd: i32, public file: FileDescription, public events: u32, public data: u64) {}
}

export class EpollFile extends FileDescription {
  anonName(): string { return "anon_inode:[eventpoll]"; }

  entries: EpollEntry[] = [];

  constructor(flags: i32) {
    super(flags);
  }

  find(fd: i32, file: FileDescription): i32 {
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i].fd == fd && this.entries[i].file === file) return i;
    }
    return -1;
  }

  /** Collects up to max ready entries of t's fd table as (events, data) pairs into out. */
  collect(t: Task, max: i32, outEvents: u32[], outData: u64[]): void {
    for (let i = 0; i < this.entries.length && outEvents.length < max; ) {
      const e = this.entries[i];
      if (t.fdTable.getRaw(e.fd) !== e.file) {
        this.entries.splice(i, 1);
        continue;
      }
      i++;
      if (e.disarmed) continue;
      const want = <i32>(e.events & 0xffff) | POLLERR | POLLHUP;
      const r = e.file.poll(want) & want;
      if ((e.events & EPOLLET) != 0) {
        const fresh = r & ~e.reported;
        e.reported = r;
        if (fresh == 0) continue;
      }
      if (r == 0) continue;
      outEvents.push(<u32>r);
      outData.push(e.data);
      if ((e.events & EPOLLONESHOT) != 0) e.disarmed = true;
    }
  }

  poll(events: i32): i32 {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.disarmed) continue;
      const want = <i32>(e.events & 0xffff) | POLLERR | POLLHUP;
      if ((e.file.poll(want) & want) != 0) return POLLIN & events;
    }
    return 0;
  }

  pollWait(t: Task): i32 {
    let host = -1;
    for (let i = 0; i < this.entries.length; i++) {
      host = noteHostFd(t, host, this.entries[i].file.pollWait(t));
    }
    return host;
  }
}
