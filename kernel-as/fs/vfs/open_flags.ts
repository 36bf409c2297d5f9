// open(2) flags (include/uapi/asm-generic/fcntl.h) and lseek whences, as the VFS uses them.
export { O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_NONBLOCK, O_CLOEXEC, SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE } from "../../abi/linux";
export const O_CREAT: i32 = 0x40;
export const O_EXCL: i32 = 0x80;
export const O_NOCTTY: i32 = 0x100;
export const O_TRUNC: i32 = 0x200;
export const O_DIRECTORY: i32 = 0x10000;
export const O_NOFOLLOW: i32 = 0x20000;
export const O_PATH_FLAG: i32 = 0x200000;
export const __O_TMPFILE: i32 = 0x400000;
