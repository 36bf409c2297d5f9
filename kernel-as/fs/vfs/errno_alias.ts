export { EBADF, EFAULT, EINVAL, EISDIR, ENXIO } from "../../abi/errno";
export const EOVERFLOW_OR_EINVAL: i32 = 75; // EOVERFLOW
