// User and group ids (Linux kernel/sys.c, kernel/groups.c, kernel/capability.c): the getters,
// the set*id family with Linux's permission rules (CAP_SETUID/CAP_SETGID are root's), the
// supplementary groups and capget/capset.
import { EFAULT, EINVAL, EPERM } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Credentials } from "../kernel/cred";
import { Task } from "../kernel/task";

const KEEP: u32 = 0xffffffff;
const NGROUPS_MAX: u64 = 65536;
const BUF: usize = memory.data(24, 8);

export function sysGetuid(t: Task): i64 { return t.tg.cred.uid; }
export function sysGeteuid(t: Task): i64 { return t.tg.cred.euid; }
export function sysGetgid(t: Task): i64 { return t.tg.cred.gid; }
export function sysGetegid(t: Task): i64 { return t.tg.cred.egid; }

@inline function privileged(c: Credentials): bool { return c.euid == 0; }

/** Whether an unprivileged caller may take id: one of its real, effective or saved ids. */
@inline function ownsUid(c: Credentials, id: u32): bool { return id == c.uid || id == c.euid || id == c.suid; }
@inline function ownsGid(c: Credentials, id: u32): bool { return id == c.gid || id == c.egid || id == c.sgid; }

/** setresuid(2) semantics, which setuid and setreuid reduce to. */
function setresuid(t: Task, r: u32, e: u32, s: u32): i64 {
  const c = t.tg.cred;
  if (!privileged(c)) {
    if ((r != KEEP && !ownsUid(c, r)) || (e != KEEP && !ownsUid(c, e)) || (s != KEEP && !ownsUid(c, s))) return -EPERM;
  }
  if (r != KEEP) c.uid = r;
  if (e != KEEP) c.euid = e;
  if (s != KEEP) c.suid = s;
  c.fsuid = c.euid;
  return 0;
}

function setresgid(t: Task, r: u32, e: u32, s: u32): i64 {
  const c = t.tg.cred;
  if (!privileged(c)) {
    if ((r != KEEP && !ownsGid(c, r)) || (e != KEEP && !ownsGid(c, e)) || (s != KEEP && !ownsGid(c, s))) return -EPERM;
  }
  if (r != KEEP) c.gid = r;
  if (e != KEEP) c.egid = e;
  if (s != KEEP) c.sgid = s;
  c.fsgid = c.egid;
  return 0;
}

export function sysSetresuid(t: Task): i64 { return setresuid(t, <u32>sysArg(0), <u32>sysArg(1), <u32>sysArg(2)); }
export function sysSetresgid(t: Task): i64 { return setresgid(t, <u32>sysArg(0), <u32>sysArg(1), <u32>sysArg(2)); }

/** setuid: root sets all three ids; others only the effective one, to an id they own. */
export function sysSetuid(t: Task): i64 {
  const id = <u32>sysArg(0);
  if (id == KEEP) return -EINVAL;
  const c = t.tg.cred;
  if (privileged(c)) return setresuid(t, id, id, id);
  if (id != c.uid && id != c.suid) return -EPERM;
  return setresuid(t, KEEP, id, KEEP);
}

export function sysSetgid(t: Task): i64 {
  const id = <u32>sysArg(0);
  if (id == KEEP) return -EINVAL;
  const c = t.tg.cred;
  if (privileged(c)) return setresgid(t, id, id, id);
  if (id != c.gid && id != c.sgid) return -EPERM;
  return setresgid(t, KEEP, id, KEEP);
}

/** setreuid: the saved id follows the new effective one when the real id is set or the
 *  effective one changes away from the real one (Linux's __sys_setreuid()). */
export function sysSetreuid(t: Task): i64 {
  const r = <u32>sysArg(0);
  const e = <u32>sysArg(1);
  const c = t.tg.cred;
  if (!privileged(c) && ((r != KEEP && r != c.uid && r != c.euid) || (e != KEEP && !ownsUid(c, e)))) return -EPERM;
  const newE = e != KEEP ? e : c.euid;
  const s = r != KEEP || (e != KEEP && e != c.uid) ? newE : KEEP;
  return setresuid(t, r, e, s);
}

export function sysSetregid(t: Task): i64 {
  const r = <u32>sysArg(0);
  const e = <u32>sysArg(1);
  const c = t.tg.cred;
  if (!privileged(c) && ((r != KEEP && r != c.gid && r != c.egid) || (e != KEEP && !ownsGid(c, e)))) return -EPERM;
  const newE = e != KEEP ? e : c.egid;
  const s = r != KEEP || (e != KEEP && e != c.gid) ? newE : KEEP;
  return setresgid(t, r, e, s);
}

function putThree(t: Task, a: u32, b: u32, c: u32): i64 {
  store<u32>(BUF, a);
  if (t.mm.copyOut(sysArg(0), BUF, 4) < 0) return -EFAULT;
  store<u32>(BUF, b);
  if (t.mm.copyOut(sysArg(1), BUF, 4) < 0) return -EFAULT;
  store<u32>(BUF, c);
  return t.mm.copyOut(sysArg(2), BUF, 4) < 0 ? -EFAULT : 0;
}

export function sysGetresuid(t: Task): i64 { const c = t.tg.cred; return putThree(t, c.uid, c.euid, c.suid); }
export function sysGetresgid(t: Task): i64 { const c = t.tg.cred; return putThree(t, c.gid, c.egid, c.sgid); }

/** setfsuid/setfsgid return the old value and change it only when allowed. */
export function sysSetfsuid(t: Task): i64 {
  const c = t.tg.cred;
  const old = c.fsuid;
  const id = <u32>sysArg(0);
  if (privileged(c) || ownsUid(c, id) || id == c.fsuid) c.fsuid = id;
  return old;
}

export function sysSetfsgid(t: Task): i64 {
  const c = t.tg.cred;
  const old = c.fsgid;
  const id = <u32>sysArg(0);
  if (privileged(c) || ownsGid(c, id) || id == c.fsgid) c.fsgid = id;
  return old;
}

export function sysGetgroups(t: Task): i64 {
  const g = t.tg.cred.groups;
  const size = <i32>sysArg(0);
  if (size < 0) return -EINVAL;
  if (size == 0) return g.length;
  if (size < g.length) return -EINVAL;
  for (let i = 0; i < g.length; i++) {
    store<u32>(BUF, g[i]);
    if (t.mm.copyOut(sysArg(1) + <u64>(i * 4), BUF, 4) < 0) return -EFAULT;
  }
  return g.length;
}

export function sysSetgroups(t: Task): i64 {
  const n = sysArg(0);
  if (n > NGROUPS_MAX) return -EINVAL;
  if (!privileged(t.tg.cred)) return -EPERM;
  const g: u32[] = [];
  for (let i: u64 = 0; i < n; i++) {
    if (t.mm.copyIn(sysArg(1) + i * 4, BUF, 4) < 0) return -EFAULT;
    g.push(load<u32>(BUF));
  }
  t.tg.cred.groups = g;
  return 0;
}

const LINUX_CAPABILITY_VERSION_1: u32 = 0x19980330;
const LINUX_CAPABILITY_VERSION_2: u32 = 0x20071026;
const LINUX_CAPABILITY_VERSION_3: u32 = 0x20080522;
/** CAP_LAST_CAP is 40: the full set is 41 bits. */
const FULL_CAPS_LO: u32 = 0xffffffff;
const FULL_CAPS_HI: u32 = 0x1ff;

/** capget: root's processes hold every capability, others none. */
export function sysCapget(t: Task): i64 {
  if (t.mm.copyIn(sysArg(0), BUF, 8) < 0) return -EFAULT;
  const version = load<u32>(BUF);
  if (version != LINUX_CAPABILITY_VERSION_1 && version != LINUX_CAPABILITY_VERSION_2 && version != LINUX_CAPABILITY_VERSION_3) {
    store<u32>(BUF, LINUX_CAPABILITY_VERSION_3);
    t.mm.copyOut(sysArg(0), BUF, 4);
    return sysArg(1) == 0 ? 0 : -EINVAL;
  }
  if (sysArg(1) == 0) return 0;
  const words = version == LINUX_CAPABILITY_VERSION_1 ? 1 : 2;
  const root = privileged(t.tg.cred);
  for (let i = 0; i < words; i++) {
    const v = root ? (i == 0 ? FULL_CAPS_LO : FULL_CAPS_HI) : 0;
    store<u32>(BUF, v); // effective
    store<u32>(BUF + 4, v); // permitted
    store<u32>(BUF + 8, 0); // inheritable
    if (t.mm.copyOut(sysArg(1) + <u64>(i * 12), BUF, 12) < 0) return -EFAULT;
  }
  return 0;
}

/** capset: the sets only come from the ids here; asking for what is held succeeds, asking
 *  for more is EPERM (dropping capabilities independently of the ids is not supported). */
export function sysCapset(t: Task): i64 {
  if (t.mm.copyIn(sysArg(0), BUF, 8) < 0) return -EFAULT;
  const version = load<u32>(BUF);
  if (version != LINUX_CAPABILITY_VERSION_1 && version != LINUX_CAPABILITY_VERSION_2 && version != LINUX_CAPABILITY_VERSION_3) return -EINVAL;
  if (sysArg(1) == 0) return -EFAULT;
  return privileged(t.tg.cred) ? 0 : -EPERM;
}
