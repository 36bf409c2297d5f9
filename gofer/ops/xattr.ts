// Txattrwalk and Txattrcreate: extended attributes are not served. Linux's v9fs turns the
// EOPNOTSUPP into the answer of getxattr/listxattr/setxattr, as on a host file system
// mounted without xattr support; the Sentry keeps its own xattrs if it wants them.
import { Errno, EOPNOTSUPP } from '../errno.js';
import type { Handler } from '../server.js';

export const xattrwalk: Handler<'xattrwalk'> = (s, req) => {
  s.fids.get(req.fid);
  throw new Errno(EOPNOTSUPP, 'xattrs are not supported');
};

export const xattrcreate: Handler<'xattrcreate'> = (s, req) => {
  s.fids.get(req.fid);
  throw new Errno(EOPNOTSUPP, 'xattrs are not supported');
};
