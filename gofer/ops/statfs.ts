// Tstatfs: fstatfs of the fid's file system through its O_PATH fd (allowed since Linux 3.12).
import * as abi from '../host/abi.js';
import { fstatfs, sys } from '../host/libc.js';
import type { Handler } from '../server.js';

const statfsBuf = Buffer.alloc(abi.statfs.fixed);

/**
 * The host's figures unchanged, f_type included (as diod's --statfs-passthru; Linux's v9fs
 * passes them on to statfs(2) callers in the sandbox), fsid as its two words little-endian.
 */
export const statfs: Handler<'statfs'> = (s, req) => {
  const d = s.fids.get(req.fid).dentry;
  sys(fstatfs(d.fd, statfsBuf), 'fstatfs');
  const st = abi.statfs.decode(statfsBuf);
  return {
    type: Number(BigInt.asUintN(32, st.f_type)),
    bsize: Number(BigInt.asUintN(32, st.f_bsize)),
    blocks: st.f_blocks,
    bfree: st.f_bfree,
    bavail: st.f_bavail,
    files: st.f_files,
    ffree: st.f_ffree,
    fsid: BigInt(st.f_fsid0) | (BigInt(st.f_fsid1) << 32n),
    namelen: Number(BigInt.asUintN(32, st.f_namelen)),
  };
};
