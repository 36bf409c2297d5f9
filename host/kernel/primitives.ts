// The host primitives that kernel.wasm imports (kernel-as/host.ts declares them and states
// their contracts). Each does one small thing the kernel decided on; none of them interprets
// an app syscall or makes a policy choice.
import crypto from 'node:crypto';
import * as libc from '../platform/ptrace/libc.js';
import { FP_MAX, HOST_SYS_MMAP, HOST_SYS_MPROTECT, HOST_SYS_MUNMAP } from '../platform/stub/stub_control.js';
import { STUB_MEMFILE_FD } from '../platform/stub/stub_layout.js';
import { Platform } from '../platform/platform.js';
import { MemoryFile } from '../memfile.js';
import { GoferTransport } from '../gofer_client/transport.js';

const MAP_SHARED_FIXED = 0x01 | 0x10;
const POLLIN = 1;
const POLLOUT = 4;

export interface PrimitiveContext {
  memfile: MemoryFile;
  platform: Platform;
  /** The 9P connection to the Gofer. */
  gofer: GoferTransport;
  /** The kernel's memory (set once the instance exists). */
  memory(): WebAssembly.Memory;
  log(channel: number, line: string): void;
}

/** -errno of the last failed libc call. */
const fail = (): number => -libc.errno();

export function hostPrimitives(ctx: PrimitiveContext): WebAssembly.ModuleImports {
  let u8 = new Uint8Array(0);
  const mem = (): Uint8Array => {
    if (u8.byteLength === 0) u8 = new Uint8Array(ctx.memory().buffer);
    return u8;
  };
  const pollfd = Buffer.alloc(8);
  const ready = (fd: number, events: number): boolean => {
    pollfd.writeInt32LE(fd, 0);
    pollfd.writeInt16LE(events, 4);
    pollfd.writeInt16LE(0, 6);
    return libc.poll(pollfd, 1, 0) > 0;
  };
  const utf8 = new TextDecoder();
  const injected = (r: number): number => (r < 0 ? r : 0);

  return {
    mf_read: (off: number, dst: number, len: number) => ctx.memfile.read(off, mem(), dst, len),
    mf_write: (off: number, src: number, len: number) => ctx.memfile.write(off, mem(), src, len),
    mf_copy: (dst: number, src: number, len: number) => ctx.memfile.copy(dst, src, len),
    mf_clone: (dst: number, src: number, len: number) => ctx.memfile.cloneRange(dst, src, len),
    mf_cmpxchg32: (off: number, expected: number, desired: number) => ctx.memfile.cmpxchg32(off, expected, desired),
    mf_resident: (off: number, len: number, dst: number) => ctx.memfile.residency(off, len, mem().subarray(dst, dst + len / 4096)),
    mf_punch: (off: number, len: number) => ctx.memfile.punch(off, len),

    as_create: () => ctx.platform.createStub(),
    vdso_base: () => ctx.platform.vdsoBase(),
    thread_create: (caller: number) => ctx.platform.createThread(caller),
    thread_exit: (tid: number) => ctx.platform.exitThread(tid),
    task_kick: (tid: number) => ctx.platform.kick(tid),
    as_destroy: (stub: number) => ctx.platform.destroyStub(stub),
    as_map: (stub: number, addr: number, len: number, prot: number, off: number) =>
      injected(ctx.platform.changeAddressSpace(stub, HOST_SYS_MMAP, addr, len, prot, MAP_SHARED_FIXED, STUB_MEMFILE_FD, off)),
    as_unmap: (stub: number, addr: number, len: number) =>
      injected(ctx.platform.changeAddressSpace(stub, HOST_SYS_MUNMAP, addr, len)),
    as_protect: (stub: number, addr: number, len: number, prot: number) =>
      injected(ctx.platform.changeAddressSpace(stub, HOST_SYS_MPROTECT, addr, len, prot)),

    fp_get: (stub: number, dst: number) => ctx.platform.fpRegs(stub, mem().subarray(dst, dst + FP_MAX), false),
    fp_set: (stub: number, src: number, len: number) => ctx.platform.fpRegs(stub, mem().subarray(src, src + len), true),

    fd_read: (fd: number, off: number, len: number) => {
      // Never block the Sentry: a host fd with nothing to read gives EAGAIN and the kernel
      // parks the task until poll says it is readable.
      if (!ready(fd, POLLIN)) return -libc.EAGAIN;
      const r = libc.read(fd, ctx.memfile.address(off), len) as number;
      return r < 0 ? fail() : r;
    },
    fd_poll: (fd: number, events: number) => {
      pollfd.writeInt32LE(fd, 0);
      pollfd.writeInt16LE(events, 4);
      pollfd.writeInt16LE(0, 6);
      const r = libc.poll(pollfd, 1, 0) as number;
      return r < 0 ? fail() : pollfd.readInt16LE(6);
    },
    fd_write: (fd: number, off: number, len: number) => {
      for (;;) {
        const r = libc.write(fd, ctx.memfile.address(off), len) as number;
        if (r >= 0) return r;
        const e = libc.errno();
        if (e === libc.EINTR) continue;
        // The host fd may be non-blocking (set so by whoever shares it with us); the app's
        // description is not, so wait for room rather than failing the write.
        if (e === libc.EAGAIN) {
          pollfd.writeInt32LE(fd, 0);
          pollfd.writeInt16LE(POLLOUT, 4);
          libc.poll(pollfd, 1, -1);
          continue;
        }
        return -e;
      }
    },
    fd_pread_mf: (fd: number, off: number, len: number, pos: number) => {
      const r = libc.pread(fd, ctx.memfile.address(off), len, pos) as number;
      return r < 0 ? fail() : r;
    },
    fd_pwrite_mf: (fd: number, off: number, len: number, pos: number) => {
      const r = libc.pwrite(fd, ctx.memfile.address(off), len, pos) as number;
      return r < 0 ? fail() : r;
    },
    fd_pread: (fd: number, dst: number, len: number, pos: number) => {
      const r = libc.preadBuf(fd, mem().subarray(dst, dst + len), len, pos) as number;
      return r < 0 ? fail() : r;
    },
    fd_fstat: (fd: number, dst: number) => (libc.fstatBuf(fd, mem().subarray(dst, dst + 144)) < 0 ? fail() : 0),
    fd_ioctl: (fd: number, req: number, buf: number) => {
      const r = libc.ioctlBuf(fd, req, mem().subarray(buf, buf + 64)) as number;
      return r < 0 ? fail() : r;
    },
    fd_lseek: (fd: number, off: number, whence: number) => {
      const r = libc.lseek(fd, off, whence) as number;
      return r < 0 ? fail() : r;
    },
    fd_close: (fd: number) => {
      libc.close(fd);
    },

    p9_rpc: (req: number, len: number, reply: number, cap: number) =>
      ctx.gofer.rpc(mem().subarray(req, req + len), mem().subarray(reply, reply + cap)),
    p9_post: (req: number, len: number) => ctx.gofer.post(mem().subarray(req, req + len)),
    p9_take_fd: () => ctx.gofer.takeFd(),

    clock_get: (clockid: number, dst: number) => (libc.clockGettime(clockid, mem().subarray(dst, dst + 16)) < 0 ? fail() : 0),
    clock_res: (clockid: number, dst: number) => (libc.clockGetres(clockid, mem().subarray(dst, dst + 16)) < 0 ? fail() : 0),
    cpu_time: (stub: number, perThread: number, dst: number) => {
      const ns = ctx.platform.cpuTime(stub, perThread !== 0);
      if (ns < 0) return ns;
      const v = new DataView(mem().buffer, dst, 16);
      v.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
      v.setBigInt64(8, BigInt(ns % 1e9), true);
      return 0;
    },
    random: (dst: number, len: number) => {
      crypto.randomFillSync(mem(), dst, len);
    },
    log: (channel: number, ptr: number, len: number) => ctx.log(channel, utf8.decode(mem().subarray(ptr, ptr + len))),
  };
}
