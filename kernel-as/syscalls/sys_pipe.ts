// pipe(2) and pipe2(2) (Linux fs/pipe.c do_pipe2()).
import { EFAULT, EINVAL } from "../abi/errno";
import { O_CLOEXEC, O_DIRECT, O_NONBLOCK, O_RDONLY, O_WRONLY, RLIMIT_NOFILE } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { Pipe, PipeEnd } from "../fs/pipe";

const FDS_BUF: usize = memory.data(8, 8);

function pipe2(t: Task, addr: u64, flags: i32): i64 {
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) != 0) return -EINVAL;
  const p = new Pipe();
  const status = flags & (O_NONBLOCK | O_DIRECT);
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  const limit = lim > 0x7fffffff ? 0x7fffffff : <i32>lim;
  const cloexec = (flags & O_CLOEXEC) != 0;
  const r = t.fdTable.install(new PipeEnd(O_RDONLY | status, p), 0, limit, cloexec);
  if (r < 0) return r;
  const w = t.fdTable.install(new PipeEnd(O_WRONLY | status, p), 0, limit, cloexec);
  if (w < 0) {
    t.fdTable.close(<i32>r);
    return w;
  }
  store<i32>(FDS_BUF, <i32>r);
  store<i32>(FDS_BUF + 4, <i32>w);
  if (t.mm.copyOut(addr, FDS_BUF, 8) < 0) {
    t.fdTable.close(<i32>r);
    t.fdTable.close(<i32>w);
    return -EFAULT;
  }
  return 0;
}

export function sysPipe(t: Task): i64 {
  return pipe2(t, sysArg(0), 0);
}

export function sysPipe2(t: Task): i64 {
  return pipe2(t, sysArg(0), <i32>sysArg(1));
}
