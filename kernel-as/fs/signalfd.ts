// signalfd (Linux fs/signalfd.c): a file that reads the signals of a mask that are pending for
// the reading process, one struct signalfd_siginfo (128 bytes) each, taking them as
// rt_sigtimedwait would. Readiness is that of the process polling it (the current task), as
// in Linux; the mask never holds SIGKILL or SIGSTOP.
import { EAGAIN, EFAULT, EINVAL } from "../abi/errno";
import { O_NONBLOCK } from "../abi/linux";
import { currentTask } from "../kernel/current";
import { park } from "../kernel/sched";
import { nextSignal, takePending } from "../kernel/signal_send";
import { Task } from "../kernel/task";
import { FileDescription, POLLIN, POLLRDNORM } from "./file";

/** sizeof(struct signalfd_siginfo). */
export const SIGNALFD_SIGINFO_SIZE: u64 = 128;
const INFO: usize = memory.data(128, 8);

export class SignalFd extends FileDescription {
  constructor(flags: i32, public mask: u64) {
    super(flags);
  }

  anonName(): string { return "anon_inode:[signalfd]"; }

  read(t: Task, addr: u64, len: u64): i64 {
    if (len < SIGNALFD_SIGINFO_SIZE) return -EINVAL;
    let done: u64 = 0;
    while (done + SIGNALFD_SIGINFO_SIZE <= len) {
      const sig = nextSignal(t, this.mask);
      if (sig == 0) break;
      const info = takePending(t, sig);
      memory.fill(INFO, 0, 128);
      store<u32>(INFO, sig);
      store<i32>(INFO + 8, info.code);
      store<u32>(INFO + 12, info.pid);
      store<u32>(INFO + 16, info.uid);
      store<i32>(INFO + 40, info.status);
      store<i32>(INFO + 44, <i32>info.value);
      store<u64>(INFO + 48, info.value);
      store<u64>(INFO + 72, info.addr);
      // The signal is taken even if the copy faults, as Linux's dequeue comes first.
      if (t.mm.copyOut(addr + done, INFO, 128) < 0) return done > 0 ? <i64>done : -EFAULT;
      done += SIGNALFD_SIGINFO_SIZE;
    }
    if (done > 0) return <i64>done;
    if ((this.flags & O_NONBLOCK) != 0) return -EAGAIN;
    // Woken like rt_sigtimedwait when a signal of the mask arrives, blocked or not.
    t.sigwaitSet = this.mask;
    return park(t, -1, -1, 0);
  }

  poll(events: i32): i32 {
    const t = currentTask;
    return t !== null && (t.pendingBits & this.mask) != 0 ? events & (POLLIN | POLLRDNORM) : 0;
  }

  pollWait(t: Task): i32 {
    t.tg.pollers.push(t);
    return -1;
  }
}
