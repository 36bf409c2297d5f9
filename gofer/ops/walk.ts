// Twalk (walk(5)): a path, one component at a time, from a fid, to a new fid.
//
// Each step is DentryTree.step: openat(dir, name, O_PATH | O_NOFOLLOW) relative to the fd
// the previous step produced, so no step ever resolves a symlink or re-reads a path prefix
// that may have been swapped meanwhile, and `..` comes from the tree (the root's is the
// root). A symlink is walked to as itself (its qid says QTSYMLINK); the client reads it
// with Treadlink and resolves it on its side. A step past a symlink or a file fails with
// ENOTDIR, as Linux's lookup would.
import { Errno, EINVAL, ENOTDIR } from '../errno.js';
import type { Dentry, Qid } from '../dentry.js';
import type { Handler } from '../server.js';

/**
 * As walk(5): if the first name fails, Rlerror; if a later one fails, Rwalk with the qids of
 * the steps that succeeded and newfid is not created; nwname = 0 clones the fid. newfid may
 * equal fid (the fid moves only when the whole walk succeeds).
 */
export const walk: Handler<'walk'> = (s, req) => {
  const from = s.fids.get(req.fid);
  const inPlace = req.newfid === req.fid;
  if (!inPlace) s.fids.checkFree(req.newfid);
  // An open fid keeps its open file; moving it elsewhere would separate the two.
  if (inPlace && from.open !== null && req.wnames.length > 0) throw new Errno(EINVAL, 'walk of an open fid in place');

  const tree = s.tree;
  let cur: Dentry = tree.hold(from.dentry);
  const wqids: Qid[] = [];
  try {
    for (const name of req.wnames) {
      let next: Dentry;
      try {
        if (!cur.isDir) throw new Errno(ENOTDIR, 'walk from a non-directory');
        next = tree.step(cur, name);
      } catch (e) {
        if (!(e instanceof Errno) || wqids.length === 0) throw e;
        break;
      }
      tree.release(cur);
      cur = next;
      wqids.push(cur.qid);
    }
  } catch (e) {
    tree.release(cur);
    throw e;
  }

  if (wqids.length < req.wnames.length) {
    tree.release(cur);
  } else if (inPlace) {
    tree.release(from.dentry);
    from.dentry = cur;
  } else {
    s.fids.add(req.newfid, cur, from.uid);
  }
  return { wqids };
};
