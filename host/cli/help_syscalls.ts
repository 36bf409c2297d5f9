// `wvisor help syscalls`: the syscall table as the kernel itself describes it, so the list is
// never kept by hand. The kernel is instantiated without a sandbox; it only logs.
import { loadKernel } from '../kernel/kernel_module.js';

export function describeSyscalls(print: (line: string) => void): void {
  let memory: WebAssembly.Memory | undefined;
  const decoder = new TextDecoder();
  const notAvailable = () => {
    throw new Error('no sandbox: host primitive not available');
  };
  const imports: WebAssembly.ModuleImports = new Proxy({}, {
    get: (_t, name) => {
      if (name === 'log') {
        return (_channel: number, ptr: number, len: number) => {
          const [nr, sysName, level, note] = decoder.decode(new Uint8Array(memory!.buffer, ptr, len)).split('\t');
          print(`${nr.padStart(3)}  ${sysName.padEnd(24)} ${level.padEnd(11)} ${note}`.trimEnd());
        };
      }
      return notAvailable;
    },
  });
  const k = loadKernel(imports);
  memory = k.memory;
  print('  #  syscall                  support     note');
  k.describe_syscalls();
}
