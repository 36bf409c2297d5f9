// File types and modes (include/uapi/linux/stat.h) and the stat structures apps read:
// struct stat (x86-64, 144 bytes) and struct statx (256 bytes).
export const S_IFMT: u32 = 0o170000;
export const S_IFSOCK: u32 = 0o140000;
export const S_IFLNK: u32 = 0o120000;
export const S_IFREG: u32 = 0o100000;
export const S_IFBLK: u32 = 0o060000;
export const S_IFDIR: u32 = 0o040000;
export const S_IFCHR: u32 = 0o020000;
export const S_IFIFO: u32 = 0o010000;
export const S_ISUID: u32 = 0o4000;
export const S_ISGID: u32 = 0o2000;
export const S_ISVTX: u32 = 0o1000;

// d_type values of getdents64 (include/linux/fs_types.h): the file type bits shifted down.
@inline export function dtypeOf(mode: u32): u8 { return <u8>((mode & S_IFMT) >> 12); }

@inline export function isDir(mode: u32): bool { return (mode & S_IFMT) == S_IFDIR; }
@inline export function isReg(mode: u32): bool { return (mode & S_IFMT) == S_IFREG; }
@inline export function isLnk(mode: u32): bool { return (mode & S_IFMT) == S_IFLNK; }
@inline export function isFifo(mode: u32): bool { return (mode & S_IFMT) == S_IFIFO; }
@inline export function isChr(mode: u32): bool { return (mode & S_IFMT) == S_IFCHR; }

/** The attributes an inode reports; filled by Inode.getattr(). */
export class Attr {
  dev: u64 = 0;
  ino: u64 = 0;
  mode: u32 = 0;
  nlink: u64 = 1;
  uid: u32 = 0;
  gid: u32 = 0;
  rdev: u64 = 0;
  size: u64 = 0;
  blksize: u64 = 4096;
  blocks: u64 = 0;
  atimeNs: i64 = 0;
  mtimeNs: i64 = 0;
  ctimeNs: i64 = 0;
  btimeNs: i64 = 0;
}

const NS: i64 = 1000000000;

/** Writes struct stat (arch/x86/include/uapi/asm/stat.h) at p. */
export function encodeStat(a: Attr, p: usize): void {
  memory.fill(p, 0, 144);
  store<u64>(p, a.dev);
  store<u64>(p + 8, a.ino);
  store<u64>(p + 16, a.nlink);
  store<u32>(p + 24, a.mode);
  store<u32>(p + 28, a.uid);
  store<u32>(p + 32, a.gid);
  store<u64>(p + 40, a.rdev);
  store<u64>(p + 48, a.size);
  store<u64>(p + 56, a.blksize);
  store<u64>(p + 64, a.blocks);
  store<i64>(p + 72, a.atimeNs / NS);
  store<i64>(p + 80, a.atimeNs % NS);
  store<i64>(p + 88, a.mtimeNs / NS);
  store<i64>(p + 96, a.mtimeNs % NS);
  store<i64>(p + 104, a.ctimeNs / NS);
  store<i64>(p + 112, a.ctimeNs % NS);
}

/** Reads a struct stat that encodeStat (or the host) wrote at p. */
export function decodeStat(p: usize, a: Attr): void {
  a.dev = load<u64>(p);
  a.ino = load<u64>(p + 8);
  a.nlink = load<u64>(p + 16);
  a.mode = load<u32>(p + 24);
  a.uid = load<u32>(p + 28);
  a.gid = load<u32>(p + 32);
  a.rdev = load<u64>(p + 40);
  a.size = load<u64>(p + 48);
  a.blksize = load<u64>(p + 56);
  a.blocks = load<u64>(p + 64);
  a.atimeNs = load<i64>(p + 72) * NS + load<i64>(p + 80);
  a.mtimeNs = load<i64>(p + 88) * NS + load<i64>(p + 96);
  a.ctimeNs = load<i64>(p + 104) * NS + load<i64>(p + 112);
}

// statx mask bits (include/uapi/linux/stat.h).
export const STATX_BASIC_STATS: u32 = 0x7ff;
export const STATX_BTIME: u32 = 0x800;

/** Writes struct statx at p with the basic stats and the birth time. */
export function encodeStatx(a: Attr, p: usize): void {
  memory.fill(p, 0, 256);
  store<u32>(p, STATX_BASIC_STATS | STATX_BTIME);
  store<u32>(p + 4, <u32>a.blksize);
  store<u32>(p + 16, <u32>a.nlink);
  store<u32>(p + 20, a.uid);
  store<u32>(p + 24, a.gid);
  store<u16>(p + 28, <u16>a.mode);
  store<u64>(p + 32, a.ino);
  store<u64>(p + 40, a.size);
  store<u64>(p + 48, a.blocks);
  const times: i64[] = [a.atimeNs, a.btimeNs, a.ctimeNs, a.mtimeNs];
  for (let i = 0; i < 4; i++) {
    const q = p + 64 + <usize>(i * 16);
    store<i64>(q, times[i] / NS);
    store<u32>(q + 8, <u32>(times[i] % NS));
  }
  // rdev and dev as major/minor (new_encode_dev's split).
  store<u32>(p + 128, <u32>(a.rdev >> 8) & 0xfff);
  store<u32>(p + 132, <u32>(a.rdev & 0xff) | (<u32>(a.rdev >> 12) & 0xfff00));
  store<u32>(p + 136, <u32>(a.dev >> 8) & 0xfff);
  store<u32>(p + 140, <u32>(a.dev & 0xff) | (<u32>(a.dev >> 12) & 0xfff00));
}
