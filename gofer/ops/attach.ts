// Session messages: Tversion, Tauth, Tattach, Tflush, Tclunk (version(5), attach(5),
// flush(5), clunk(5) of the 9P2000 manual, which 9P2000.L keeps unchanged).
import { Errno, ENOENT } from '../errno.js';
import { NONUNAME, VERSION_9P2000_L, VERSION_UNKNOWN, VERSION_WVISOR } from '../protocol/constants.js';
import type { Handler } from '../server.js';

/**
 * Tversion: negotiates msize (the smaller of the client's and ours) and the dialect, and
 * resets the session (every fid is clunked, as version(5) requires). "9P2000.L.wvisor" turns
 * on fd donation; "9P2000.L" and "9P2000.L.<anything else>" get plain 9P2000.L; any other
 * version gets "unknown" and the session stays closed to other requests.
 */
export const version: Handler<'version'> = (s, req) => {
  const asked = req.version.toString('latin1');
  if (asked === VERSION_WVISOR) return { msize: s.negotiate(req.msize, VERSION_WVISOR, true), version: VERSION_WVISOR };
  if (asked === VERSION_9P2000_L || asked.startsWith(`${VERSION_9P2000_L}.`)) {
    return { msize: s.negotiate(req.msize, VERSION_9P2000_L, false), version: VERSION_9P2000_L };
  }
  s.end();
  s.versioned = false;
  return { msize: Math.min(req.msize, s.server.maxMsize), version: VERSION_UNKNOWN };
};

/**
 * Tauth: the gofer asks for no authentication (its peer is the Sentry, over a socketpair).
 * Answered as diod answers when authentication is off (ENOENT); Linux's and diod's clients
 * then attach with afid = NOFID.
 */
export const auth: Handler<'auth'> = () => {
  throw new Errno(ENOENT, 'no authentication required');
};

/**
 * Tattach: any uname and aname are accepted and afid is ignored; the fid names the root.
 * n_uname (or a numeric uname) is remembered as the owner of files created through the fid.
 */
export const attach: Handler<'attach'> = (s, req) => {
  s.fids.checkFree(req.fid);
  let uid = req.n_uname;
  if (uid === NONUNAME) {
    const name = req.uname.toString('latin1');
    uid = /^\d{1,10}$/.test(name) && Number(name) < NONUNAME ? Number(name) : NONUNAME;
  }
  const root = s.tree.root;
  s.fids.add(req.fid, s.tree.hold(root), uid);
  return { qid: root.qid };
};

/**
 * Tflush: requests are answered in order, one at a time, so the flushed request (if it was
 * ours at all) has been answered already; Rflush is all that is left to say (flush(5)).
 */
export const flush: Handler<'flush'> = () => ({});

/** Tclunk: forgets the fid, closing what it holds. */
export const clunk: Handler<'clunk'> = (s, req) => {
  s.fids.clunk(req.fid);
  return {};
};
