// Every 9P2000.L message, described once. Each entry names a request (T) and its reply (R,
// whose type number is T's plus one) as lists of typed fields in wire order; codec.ts derives
// encoding and decoding from this table, and server.ts requires a handler for every entry.
//
// Sources: Linux's net/9p/client.c (the format strings of p9_client_rpc: "d" = u32,
// "q" = u64, "s" = string, "Q" = qid, "w" = u16, "b" = u8, "T" = name array, "R" = qid
// array, "D" = data), include/net/9p/9p.h for the numbers, and diod's protocol.md. The field
// names are those of the 9P2000.L documentation.
import { array, data, optional, str, struct, u16, u32, u64, u8, type FieldList } from '../layout.js';
import { MAXWELEM } from './constants.js';

/** qid[13]: the server's identity of a file (type, version, path). */
export const qid = struct('qid', [
  ['type', u8],
  ['version', u32],
  ['path', u64],
] as const);

/** One Rreaddir entry: qid[13] offset[8] type[1] name[s]. */
export const dirent = struct('dirent', [
  ['qid', qid],
  ['offset', u64],
  ['type', u8],
  ['name', str],
] as const);

export interface MessageDef<T extends FieldList, R extends FieldList> {
  readonly type: number;
  readonly t: T;
  readonly r: R;
}

function message<const T extends FieldList, const R extends FieldList>(type: number, t: T, r: R): MessageDef<T, R> {
  return { type, t, r };
}

/** Rlerror (type 7): the only error reply of 9P2000.L. */
export const RLERROR = 7;
export const rlerror = struct('Rlerror', [['ecode', u32]] as const);

/** Rgetattr's fields (and the start of Rgetattrat's). */
export const ATTR_REPLY = [
  ['valid', u64], ['qid', qid], ['mode', u32], ['uid', u32], ['gid', u32], ['nlink', u64],
  ['rdev', u64], ['size', u64], ['blksize', u64], ['blocks', u64],
  ['atime_sec', u64], ['atime_nsec', u64], ['mtime_sec', u64], ['mtime_nsec', u64],
  ['ctime_sec', u64], ['ctime_nsec', u64], ['btime_sec', u64], ['btime_nsec', u64],
  ['gen', u64], ['data_version', u64],
] as const;

/** Rgetattr's fields as one record (ATTR_SIZE bytes). */
export const attr = struct('attr', ATTR_REPLY);
export const ATTR_SIZE = 153;

/** One Rreaddirplus entry (the wvisor extension): a dirent, then Rgetattr's fields for it and
 *  its target when it is a symlink. */
export const direntPlus = struct('direntplus', [
  ['qid', qid],
  ['offset', u64],
  ['type', u8],
  ['name', str],
  ['attr', attr],
  ['target', str],
] as const);

export const MESSAGES = {
  statfs: message(8, [['fid', u32]], [
    ['type', u32], ['bsize', u32], ['blocks', u64], ['bfree', u64], ['bavail', u64],
    ['files', u64], ['ffree', u64], ['fsid', u64], ['namelen', u32],
  ]),
  lopen: message(12, [['fid', u32], ['flags', u32]], [['qid', qid], ['iounit', u32]]),
  lcreate: message(14, [['fid', u32], ['name', str], ['flags', u32], ['mode', u32], ['gid', u32]], [['qid', qid], ['iounit', u32]]),
  symlink: message(16, [['fid', u32], ['name', str], ['symtgt', str], ['gid', u32]], [['qid', qid]]),
  mknod: message(18, [['dfid', u32], ['name', str], ['mode', u32], ['major', u32], ['minor', u32], ['gid', u32]], [['qid', qid]]),
  rename: message(20, [['fid', u32], ['dfid', u32], ['name', str]], []),
  readlink: message(22, [['fid', u32]], [['target', str]]),
  getattr: message(24, [['fid', u32], ['request_mask', u64]], ATTR_REPLY),
  setattr: message(26, [
    ['fid', u32], ['valid', u32], ['mode', u32], ['uid', u32], ['gid', u32], ['size', u64],
    ['atime_sec', u64], ['atime_nsec', u64], ['mtime_sec', u64], ['mtime_nsec', u64],
  ], []),
  xattrwalk: message(30, [['fid', u32], ['newfid', u32], ['name', str]], [['size', u64]]),
  xattrcreate: message(32, [['fid', u32], ['name', str], ['attr_size', u64], ['flags', u32]], []),
  readdir: message(40, [['fid', u32], ['offset', u64], ['count', u32]], [['data', data]]),
  // Linux's client sends datasync since 3.x; older clients (diod's protocol.md) send fid only.
  fsync: message(50, [['fid', u32], ['datasync', optional(u32, 0)]], []),
  lock: message(52, [
    ['fid', u32], ['type', u8], ['flags', u32], ['start', u64], ['length', u64], ['proc_id', u32], ['client_id', str],
  ], [['status', u8]]),
  getlock: message(54, [
    ['fid', u32], ['type', u8], ['start', u64], ['length', u64], ['proc_id', u32], ['client_id', str],
  ], [['type', u8], ['start', u64], ['length', u64], ['proc_id', u32], ['client_id', str]]),
  link: message(70, [['dfid', u32], ['fid', u32], ['name', str]], []),
  mkdir: message(72, [['dfid', u32], ['name', str], ['mode', u32], ['gid', u32]], [['qid', qid]]),
  renameat: message(74, [['olddirfid', u32], ['oldname', str], ['newdirfid', u32], ['newname', str]], []),
  unlinkat: message(76, [['dirfd', u32], ['name', str], ['flags', u32]], []),
  // The 9P2000 core that 9P2000.L keeps.
  version: message(100, [['msize', u32], ['version', str]], [['msize', u32], ['version', str]]),
  auth: message(102, [['afid', u32], ['uname', str], ['aname', str], ['n_uname', u32]], [['aqid', qid]]),
  attach: message(104, [['fid', u32], ['afid', u32], ['uname', str], ['aname', str], ['n_uname', u32]], [['qid', qid]]),
  flush: message(108, [['oldtag', u16]], []),
  walk: message(110, [['fid', u32], ['newfid', u32], ['wnames', array(str, MAXWELEM)]], [['wqids', array(qid, MAXWELEM)]]),
  read: message(116, [['fid', u32], ['offset', u64], ['count', u32]], [['data', data]]),
  write: message(118, [['fid', u32], ['offset', u64], ['data', data]], [['count', u32]]),
  clunk: message(120, [['fid', u32]], []),
  remove: message(122, [['fid', u32]], []),
  // The wvisor extension (gofer/README.md): a lookup's attributes, and a symlink's target,
  // in one round trip and without a fid.
  getattrat: message(150, [['dfid', u32], ['request_mask', u64], ['name', str]], [...ATTR_REPLY, ['target', str]]),
  // Treaddir whose entries carry their attributes (direntPlus), so that listing a directory
  // and then looking at each of its files costs no round trip per file.
  readdirplus: message(152, [['fid', u32], ['offset', u64], ['count', u32]], [['data', data]]),
} as const;

export type Messages = typeof MESSAGES;
export type MessageName = keyof Messages;
