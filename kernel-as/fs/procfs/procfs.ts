// procfs (Linux fs/proc/): files whose contents are made when they are opened, from the
// kernel's own state. The directories are the root (system files, one directory per process,
// self, thread-self, sys/), a process's directory (stat, status, cmdline, maps, fd/, ...) and
// its fd/ and fdinfo/. What each file says is in fs/procfs/generate.ts.
import { EACCES, ENOENT } from "../../abi/errno";
import { Task, ThreadGroup } from "../../kernel/task";
import { currentTask } from "../../kernel/current";
import { threadGroups } from "../../kernel/kernel";
import { FileDescription } from "../file";
import { fail } from "../vfs/error";
import { DirEntry, Inode, SuperBlock } from "../vfs/inode";
import { InodeFile } from "../vfs/inode_file";
import { Dentry, Path } from "../vfs/mount";
import { realtimeNow } from "../vfs/time";
import { mfWrite } from "../../host";
import { Attr, decodeStat, S_IFDIR, S_IFLNK, S_IFREG } from "../vfs/stat";
import { generateFile, linkPath, linkTarget, PID_FILES, PID_LINKS, SYSTEM_FILES, SYS_FILES } from "./generate";

/** What a procfs directory lists. */
const DIR_ROOT: i32 = 0;
const DIR_PID: i32 = 1;
const DIR_FD: i32 = 2;
const DIR_FDINFO: i32 = 3;
const DIR_SYS: i32 = 4;

export class ProcSuper extends SuperBlock {
  constructor() {
    super("proc");
  }
}

/** Proc inodes are made on lookup; like Linux's, they carry the time they were made. */
function stamp(i: Inode): void {
  const now = realtimeNow();
  i.atimeNs = now;
  i.mtimeNs = now;
  i.ctimeNs = now;
}

function tgOf(tgid: i32): ThreadGroup | null {
  return threadGroups.has(tgid) ? threadGroups.get(tgid) : null;
}

function self(): Task {
  return currentTask!;
}

/** A directory whose entries are computed on each lookup and listing. */
export class ProcDir extends Inode {
  constructor(sb: SuperBlock, public kind: i32, public tgid: i32, /** Path under /proc/sys. */ public sysPath: string) {
    super(sb, S_IFDIR | 0o555);
    this.nlink = 2;
    stamp(this);
  }

  private names(): string[] {
    const out: string[] = [];
    if (this.kind == DIR_ROOT) {
      const tgs = threadGroups.keys();
      for (let i = 0; i < tgs.length; i++) out.push(tgs[i].toString());
      out.push("self");
      out.push("thread-self");
      out.push("sys");
      for (let i = 0; i < SYSTEM_FILES.length; i++) out.push(SYSTEM_FILES[i]);
    } else if (this.kind == DIR_PID) {
      for (let i = 0; i < PID_FILES.length; i++) out.push(PID_FILES[i]);
      for (let i = 0; i < PID_LINKS.length; i++) out.push(PID_LINKS[i]);
      out.push("fd");
      out.push("fdinfo");
    } else if (this.kind == DIR_FD || this.kind == DIR_FDINFO) {
      const tg = tgOf(this.tgid);
      if (tg !== null) {
        const fdt = tg.leader.fdTable;
        for (let fd = 0; fd < fdt.size(); fd++) if (fdt.getRaw(fd) !== null) out.push(fd.toString());
      }
    } else {
      const prefix = this.sysPath + "/";
      for (let i = 0; i < SYS_FILES.length; i++) {
        const f = SYS_FILES[i];
        if (!f.startsWith(prefix)) continue;
        const rest = f.substring(prefix.length);
        const slash = rest.indexOf("/");
        const name = slash < 0 ? rest : rest.substring(0, slash);
        if (!out.includes(name)) out.push(name);
      }
    }
    return out;
  }

  lookup(name: string): Inode | null {
    if (this.kind == DIR_ROOT) {
      if (name == "self") return new ProcLink(this.sb, -1, "self");
      if (name == "thread-self") return new ProcLink(this.sb, -1, "thread-self");
      if (name == "sys") return new ProcDir(this.sb, DIR_SYS, 0, "sys");
      if (SYSTEM_FILES.includes(name)) return new ProcFile(this.sb, 0, name);
      const pid = I32.parseInt(name);
      if (pid > 0 && pid.toString() == name && tgOf(pid) !== null) return new ProcDir(this.sb, DIR_PID, pid, "");
      return fail<Inode>(ENOENT);
    }
    const tg = tgOf(this.tgid);
    if (this.kind == DIR_PID) {
      if (tg === null) return fail<Inode>(ENOENT);
      if (name == "fd") return new ProcDir(this.sb, DIR_FD, this.tgid, "");
      if (name == "fdinfo") return new ProcDir(this.sb, DIR_FDINFO, this.tgid, "");
      if (PID_FILES.includes(name)) return new ProcFile(this.sb, this.tgid, name);
      if (PID_LINKS.includes(name)) return new ProcLink(this.sb, this.tgid, name);
      return fail<Inode>(ENOENT);
    }
    if (this.kind == DIR_FD || this.kind == DIR_FDINFO) {
      const fd = I32.parseInt(name);
      if (tg === null || fd.toString() != name || tg.leader.fdTable.getRaw(fd) === null) return fail<Inode>(ENOENT);
      if (this.kind == DIR_FD) return new ProcLink(this.sb, this.tgid, "fd/" + name);
      return new ProcFile(this.sb, this.tgid, "fdinfo/" + name);
    }
    const path = this.sysPath + "/" + name;
    if (SYS_FILES.includes(path)) return new ProcFile(this.sb, 0, path);
    for (let i = 0; i < SYS_FILES.length; i++) {
      if (SYS_FILES[i].startsWith(path + "/")) return new ProcDir(this.sb, DIR_SYS, 0, path);
    }
    return fail<Inode>(ENOENT);
  }

  readdir(out: DirEntry[]): i32 {
    const names = this.names();
    for (let i = 0; i < names.length; i++) {
      const c = this.lookup(names[i]);
      if (c !== null) out.push(new DirEntry(names[i], c.ino, <u8>((c.mode >> 12) & 15)));
    }
    return 0;
  }

  isEmptyDir(): bool { return false; }
}

/** A symlink whose target depends on the process (self, exe, cwd, root, fd/N). */
export class ProcLink extends Inode {
  constructor(sb: SuperBlock, public tgid: i32, public name: string) {
    super(sb, S_IFLNK | 0o777);
    stamp(this);
  }

  isMagicLink(): bool { return this.name != "self" && this.name != "thread-self"; }

  jump(at: Path): Path | null {
    const tg = tgOf(this.tgid);
    if (tg === null) return null;
    const p = linkPath(tg, this.name);
    if (p !== null || !this.name.startsWith("fd/")) return p;
    // A file that is not a file system's (a pipe, the host's stdio, an eventfd): a stand-in
    // inode for it, which stats as it does and opens it anew.
    const f = tg.leader.fdTable.getRaw(I32.parseInt(this.name.substring(3)));
    return f !== null ? new Path(at.mnt, new Dentry(this.name, null, new FdLinkInode(this.sb, f))) : null;
  }

  readlink(): string | null {
    const t = self();
    if (this.name == "self") return t.tg.tgid.toString();
    if (this.name == "thread-self") return t.tg.tgid.toString() + "/task/" + t.tid.toString();
    const tg = tgOf(this.tgid);
    if (tg === null) return fail<string>(ENOENT);
    const target = linkTarget(tg, this.name, t);
    return target === null ? fail<string>(ENOENT) : target;
  }
}

/** What following /proc/PID/fd/N leads to when the fd is not a file of a file system. It has
 *  no file type of its own (so an open goes straight to open()), stats as its file, and
 *  opens it again through FileDescription.reopen. */
class FdLinkInode extends Inode {
  constructor(sb: SuperBlock, public file: FileDescription) {
    super(sb, 0o666);
  }

  getattr(a: Attr): void {
    this.file.stat(STAT);
    decodeStat(STAT, a);
  }

  open(flags: i32, path: Path): FileDescription | null {
    return this.file.reopen(flags);
  }
}

const STAT: usize = memory.data(144, 8);

/** Files of a process that only its owner may read (Linux's proc_pid entries of mode 0400:
 *  what they tell, the environment above all, is the process's own business). */
const OWNER_ONLY: string[] = ["environ", "auxv", "personality"];

/** A file whose contents are generated when it is opened. A process's files belong to its
 *  user (its effective ids when looked up, as Linux's task_dump_owner()). */
export class ProcFile extends Inode {
  constructor(sb: SuperBlock, public tgid: i32, public name: string) {
    super(sb, S_IFREG | (name == "sys/kernel/hostname" ? 0o644 : OWNER_ONLY.includes(name) ? 0o400 : 0o444));
    stamp(this);
    const tg = tgid > 0 ? tgOf(tgid) : null;
    if (tg !== null) {
      this.uid = tg.cred.euid;
      this.gid = tg.cred.egid;
    }
  }

  open(flags: i32, path: Path): FileDescription | null {
    if ((flags & 3) != 0) return fail<FileDescription>(EACCES);
    const tg = this.tgid > 0 ? tgOf(this.tgid) : null;
    if (this.tgid > 0 && tg === null) return fail<FileDescription>(ENOENT);
    return new ProcFileDescription(flags, path, generateFile(this.name, tg, self()));
  }
}

/** An open proc file: a snapshot of the contents taken at open, as seq_file gives. */
export class ProcFileDescription extends InodeFile {
  constructor(flags: i32, path: Path, private data: ArrayBuffer) {
    super(flags, path);
  }

  readAt(t: Task, addr: u64, len: u64, pos: i64): i64 {
    const size = <i64>this.data.byteLength;
    if (pos >= size) return 0;
    const n = <u64>(size - pos) < len ? <u64>(size - pos) : len;
    const r = t.mm.copyOut(addr, changetype<usize>(this.data) + <usize>pos, n);
    return r < 0 ? r : <i64>n;
  }

  readToKernel(dst: usize, len: i32, pos: i64): i32 {
    const size = <i64>this.data.byteLength;
    if (pos >= size) return 0;
    const n = <i32>(size - pos < <i64>len ? size - pos : <i64>len);
    memory.copy(dst, changetype<usize>(this.data) + <usize>pos, n);
    return n;
  }

  readToMf(off: u64, len: i32, pos: i64): i32 {
    const size = <i64>this.data.byteLength;
    if (pos >= size) return 0;
    const n = <i32>(size - pos < <i64>len ? size - pos : <i64>len);
    mfWrite(<f64>off, changetype<usize>(this.data) + <usize>pos, n);
    return n;
  }

  stat(dst: usize): i32 {
    // Proc files report size 0, like Linux's, whatever reading them gives.
    return super.stat(dst);
  }
}

/** A new procfs root. */
export function newProcfs(): ProcDir {
  return new ProcDir(new ProcSuper(), DIR_ROOT, 0, "");
}

