// Tlock and Tgetlock: POSIX byte-range locks between clients, kept by the host as open file
// description (OFD) locks on the fid's open fd.
//
// Linux's v9fs applies a lock locally first (posix_lock_file_wait) and asks the server only
// to arbitrate between clients; the Sentry does the same. A process-owned fcntl lock would
// make every fid of this one gofer process the same owner, so no two fids could ever
// conflict; an OFD lock belongs to the open file, i.e. to the fid. The gofer never blocks:
// a conflicting Tlock answers Rlock(BLOCKED), and a client that wanted to wait retries, as
// v9fs_file_do_lock does.
import { Errno, EACCES, EAGAIN, EBADF, EINVAL } from '../errno.js';
import type { Fid } from '../fid_table.js';
import * as abi from '../host/abi.js';
import { F_OFD_GETLK, F_OFD_SETLK, F_RDLCK, F_UNLCK, F_WRLCK, SEEK_SET, errno, fcntlPtr, sys } from '../host/libc.js';
import { LOCK_BLOCKED, LOCK_SUCCESS, LOCK_TYPE_RDLCK, LOCK_TYPE_UNLCK, LOCK_TYPE_WRLCK } from '../protocol/constants.js';
import type { Handler } from '../server.js';

const flockBuf = Buffer.alloc(abi.flock.fixed);

function hostType(t: number): number {
  switch (t) {
    case LOCK_TYPE_RDLCK:
      return F_RDLCK;
    case LOCK_TYPE_WRLCK:
      return F_WRLCK;
    case LOCK_TYPE_UNLCK:
      return F_UNLCK;
    default:
      throw new Errno(EINVAL, `lock type ${t}`);
  }
}

function openFd(f: Fid): number {
  if (f.open === null) throw new Errno(EBADF, 'lock on a fid not open');
  return f.open.fd;
}

/** Fills flockBuf; 9P's start/length mean what fcntl's do (length 0: to the end of file). */
function fillFlock(type: number, start: bigint, length: bigint): void {
  // l_pid must be 0 for OFD locks.
  abi.flock.encode({ l_type: hostType(type), l_whence: SEEK_SET, l_start: BigInt.asIntN(64, start), l_len: BigInt.asIntN(64, length), l_pid: 0 }, flockBuf);
}

/** Tlock: F_OFD_SETLK; a conflict is Rlock(BLOCKED), other failures Rlerror. */
export const lock: Handler<'lock'> = (s, req) => {
  const fd = openFd(s.fids.get(req.fid));
  fillFlock(req.type, req.start, req.length);
  if (fcntlPtr(fd, F_OFD_SETLK, flockBuf) < 0) {
    const e = errno();
    if (e === EAGAIN || e === EACCES) return { status: LOCK_BLOCKED };
    throw new Errno(e, 'lock');
  }
  return { status: LOCK_SUCCESS };
};

/**
 * Tgetlock: F_OFD_GETLK. With no conflicting lock the answer is type UNLCK and the request's
 * own range (as diod answers); otherwise the conflicting lock's type and range. proc_id is
 * the host's l_pid (-1 for an OFD lock) and client_id echoes the request, since the holder's
 * client id is not known to the host.
 */
export const getlock: Handler<'getlock'> = (s, req) => {
  const fd = openFd(s.fids.get(req.fid));
  fillFlock(req.type, req.start, req.length);
  sys(fcntlPtr(fd, F_OFD_GETLK, flockBuf), 'getlock');
  const got = abi.flock.decode(flockBuf);
  if (got.l_type === F_UNLCK) {
    return { type: LOCK_TYPE_UNLCK, start: req.start, length: req.length, proc_id: req.proc_id, client_id: req.client_id };
  }
  return {
    type: got.l_type === F_WRLCK ? LOCK_TYPE_WRLCK : LOCK_TYPE_RDLCK,
    start: BigInt.asUintN(64, got.l_start),
    length: BigInt.asUintN(64, got.l_len),
    proc_id: got.l_pid,
    client_id: req.client_id,
  };
};
