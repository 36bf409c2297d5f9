// The Linux x86-64 ABI structs the gofer hands to the host kernel, each described once
// (layout.ts checks natural alignment and total size at load time). Field names are the C
// ones, from the uapi headers and glibc.
import { abiStruct, bytes, i16, i32, i64, pad, struct, u16, u32, u64, u8 } from '../layout.js';

/** struct statx_timestamp (include/uapi/linux/stat.h). */
export const statxTimestamp = abiStruct('statx_timestamp', [
  ['tv_sec', i64],
  ['tv_nsec', u32],
  ['__reserved', pad(4)],
] as const, 16);

/** struct statx (include/uapi/linux/stat.h), 256 bytes; the tail is reserved for growth. */
export const statx = abiStruct('statx', [
  ['stx_mask', u32],
  ['stx_blksize', u32],
  ['stx_attributes', u64],
  ['stx_nlink', u32],
  ['stx_uid', u32],
  ['stx_gid', u32],
  ['stx_mode', u16],
  ['__spare0', pad(2)],
  ['stx_ino', u64],
  ['stx_size', u64],
  ['stx_blocks', u64],
  ['stx_attributes_mask', u64],
  ['stx_atime', statxTimestamp],
  ['stx_btime', statxTimestamp],
  ['stx_ctime', statxTimestamp],
  ['stx_mtime', statxTimestamp],
  ['stx_rdev_major', u32],
  ['stx_rdev_minor', u32],
  ['stx_dev_major', u32],
  ['stx_dev_minor', u32],
  ['stx_mnt_id', u64],
  ['stx_dio_mem_align', u32],
  ['stx_dio_offset_align', u32],
  ['__spare3', pad(96)],
] as const, 256);

/** struct statfs of glibc on x86-64 (the kernel's struct statfs64 there), 120 bytes. */
export const statfs = abiStruct('statfs', [
  ['f_type', i64],
  ['f_bsize', i64],
  ['f_blocks', u64],
  ['f_bfree', u64],
  ['f_bavail', u64],
  ['f_files', u64],
  ['f_ffree', u64],
  ['f_fsid0', u32],
  ['f_fsid1', u32],
  ['f_namelen', i64],
  ['f_frsize', i64],
  ['f_flags', i64],
  ['f_spare', pad(32)],
] as const, 120);

/** struct flock (include/uapi/asm-generic/fcntl.h), 32 bytes. */
export const flock = abiStruct('flock', [
  ['l_type', i16],
  ['l_whence', i16],
  ['__pad0', pad(4)],
  ['l_start', i64],
  ['l_len', i64],
  ['l_pid', i32],
  ['__pad1', pad(4)],
] as const, 32);

/**
 * The fixed head of struct linux_dirent64 (include/linux/dirent.h); d_name follows at
 * offset 19, NUL-terminated, and d_reclen covers head, name and padding.
 */
export const dirent64Head = struct('linux_dirent64', [
  ['d_ino', u64],
  ['d_off', i64],
  ['d_reclen', u16],
  ['d_type', u8],
] as const);

/** struct timespec, as utimensat's times[2] takes it. */
export const timespec = abiStruct('timespec', [
  ['tv_sec', i64],
  ['tv_nsec', i64],
] as const, 16);

/** struct pollfd (include/uapi/asm-generic/poll.h). */
export const pollfd = abiStruct('pollfd', [
  ['fd', i32],
  ['events', i16],
  ['revents', i16],
] as const, 8);

/** struct iovec. Pointers are u64 addresses of native memory. */
export const iovec = abiStruct('iovec', [
  ['iov_base', u64],
  ['iov_len', u64],
] as const, 16);

/** struct msghdr (include/linux/socket.h as glibc lays it out). */
export const msghdr = abiStruct('msghdr', [
  ['msg_name', u64],
  ['msg_namelen', u32],
  ['__pad0', pad(4)],
  ['msg_iov', u64],
  ['msg_iovlen', u64],
  ['msg_control', u64],
  ['msg_controllen', u64],
  ['msg_flags', i32],
  ['__pad1', pad(4)],
] as const, 56);

/** struct cmsghdr; its data starts right after, at CMSG_DATA = 16. */
export const cmsghdr = abiStruct('cmsghdr', [
  ['cmsg_len', u64],
  ['cmsg_level', i32],
  ['cmsg_type', i32],
] as const, 16);

/** CMSG_LEN(n) and CMSG_SPACE(n) of x86-64 (8-byte alignment). */
export const cmsgLen = (n: number): number => cmsghdr.fixed + n;
export const cmsgSpace = (n: number): number => cmsghdr.fixed + ((n + 7) & ~7);

/** struct sockaddr_un (include/uapi/linux/un.h). */
export const sockaddrUn = struct('sockaddr_un', [
  ['sun_family', u16],
  ['sun_path', bytes(108)],
] as const);
