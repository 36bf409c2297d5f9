// Names: Tlink, Treadlink, Trename, Trenameat, Tunlinkat, Tremove. All are *at calls on
// directory fds the client walked to, with single-component names (checkName), so none can
// reach outside the tree; the dentry tree is told of every rename and removal so that `..`
// and later walks stay consistent with the host.
import { checkName, statAt, type Dentry } from '../dentry.js';
import { Errno, EBUSY, EINVAL, ENOENT, ENOTDIR, EPERM } from '../errno.js';
import {
  AT_REMOVEDIR, AT_SYMLINK_FOLLOW, EMPTY_PATH, PATH_MAX, cstr, linkat, readlinkat, renameat, sys, unlinkat,
} from '../host/libc.js';
import type { Handler } from '../server.js';
import type { Session } from '../session.js';

function directory(s: Session, fid: number): Dentry {
  const d = s.fids.get(fid).dentry;
  if (!d.isDir) throw new Errno(ENOTDIR, 'not a directory');
  return d;
}

/**
 * The parent and name under which a fid's file is known, checked to still name that inode
 * (a host process may have renamed it): Trename and Tremove work on names, not fds.
 */
function placeOf(s: Session, d: Dentry): { parent: Dentry; name: Buffer } {
  const parent = d.parent;
  if (parent === null) throw new Errno(EBUSY, 'the root');
  if (!d.attached) throw new Errno(ENOENT, 'removed');
  const name = d.nameBytes;
  const st = statAt(parent.fd, name);
  if (st.stx_ino !== d.ino || s.tree.devIndex(st) !== d.dev) throw new Errno(ENOENT, 'renamed behind the gofer');
  return { parent, name };
}

/**
 * Tlink: a hard link to fid's file named `name` in dfid. linkat through /proc/self/fd with
 * AT_SYMLINK_FOLLOW (linkat(2)'s own recipe for an O_PATH fd) links the very inode the fid
 * holds, without AT_EMPTY_PATH's need for CAP_DAC_READ_SEARCH. Directories: EPERM, as Linux.
 */
export const link: Handler<'link'> = (s, req) => {
  const dir = directory(s, req.dfid);
  const target = s.fids.get(req.fid).dentry;
  checkName(req.name, false);
  if (target.isDir) throw new Errno(EPERM, 'hard link to a directory');
  sys(linkat(s.server.procSelfFd, Buffer.from(`${target.fd}\0`), dir.fd, cstr(req.name), AT_SYMLINK_FOLLOW), 'link');
  return {};
};

const linkBuf = Buffer.alloc(PATH_MAX);

/** Treadlink: the symlink's target, read through its O_PATH fd (EINVAL for anything else). */
export const readlink: Handler<'readlink'> = (s, req) => {
  const d = s.fids.get(req.fid).dentry;
  if (!d.isSymlink) throw new Errno(EINVAL, 'not a symlink');
  const n = sys(readlinkat(d.fd, EMPTY_PATH, linkBuf, linkBuf.length), 'readlink');
  return { target: linkBuf.subarray(0, n) };
};

/** Trenameat: renameat between two directory fids. */
export const renameatOp: Handler<'renameat'> = (s, req) => {
  const oldDir = directory(s, req.olddirfid);
  const newDir = directory(s, req.newdirfid);
  checkName(req.oldname, false);
  checkName(req.newname, false);
  sys(renameat(oldDir.fd, cstr(req.oldname), newDir.fd, cstr(req.newname)), 'rename');
  s.tree.renamed(oldDir, req.oldname, newDir, req.newname);
  return {};
};

/** Trename (the older form Linux falls back to): moves fid's file to dfid/name. */
export const rename: Handler<'rename'> = (s, req) => {
  const d = s.fids.get(req.fid).dentry;
  const newDir = directory(s, req.dfid);
  checkName(req.name, false);
  const { parent, name } = placeOf(s, d);
  sys(renameat(parent.fd, cstr(name), newDir.fd, cstr(req.name)), 'rename');
  s.tree.renamed(parent, name, newDir, req.name);
  return {};
};

/** Tunlinkat: unlinkat, AT_REMOVEDIR being the only flag. */
export const unlinkatOp: Handler<'unlinkat'> = (s, req) => {
  const dir = directory(s, req.dirfd);
  checkName(req.name, false);
  sys(unlinkat(dir.fd, cstr(req.name), req.flags & AT_REMOVEDIR), 'unlink');
  s.tree.removed(dir, req.name);
  return {};
};

/**
 * Tremove (9P2000's, which Linux uses when Tunlinkat is not supported): removes fid's file
 * and clunks the fid, even when the removal fails (remove(5)) — read-only mode included,
 * which is why this handler checks read-only itself.
 */
export const remove: Handler<'remove'> = (s, req) => {
  const d = s.fids.get(req.fid).dentry;
  try {
    s.mutating();
    const { parent, name } = placeOf(s, d);
    sys(unlinkat(parent.fd, cstr(name), d.isDir ? AT_REMOVEDIR : 0), 'remove');
    s.tree.removed(parent, name);
  } finally {
    s.fids.clunk(req.fid);
  }
  return {};
};
