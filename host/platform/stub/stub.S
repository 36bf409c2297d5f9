# The stub: the code of every host process that holds an app's address space, and of the
# waker. scripts/stub_code.js assembles this file (GNU as) into stub_code.ts, which is
# committed, so building wvisor needs no assembler; test/stub_code.test.ts checks that the
# two agree. stub_image.ts wraps the stub's bytes in an ELF executable loaded at STUB_BASE.
#
# Layout of the stub's part of the address space (everything the app may use is below):
#   STUB_BASE            this code (one page, read and execute)
#   STUB_BASE + 0x1000   the bell page, shared by every stub, the waker and the Sentry
#   STUB_BASE + 0x2000   the Sentry's page, read-only in the stubs (whether it sleeps)
#   STUB_BASE + 0x10000  the host's vDSO and its data pages (moved here with ARCH_MAP_VDSO_64)
#   STUB_BASE + 0x100000 regions of 64 KiB, one per stub thread, each mapped only in its own
#                        stub: a context page (the thread's mailbox with the Sentry) and the
#                        thread's signal stack. A region's offset in the stub memfd equals its
#                        address minus STUB_BASE.
# The factory stub, and each stub process of the ptrace platform, has a control thread,
# traced and never running app code, through which the Sentry injects syscalls (inject,
# batch, clone). Under the systrap platform nothing is traced but the factory: a stub
# process's first thread is its mm thread (stub_mm_thread), which makes the Sentry's batches
# of address-space changes and clones the app threads; the app runs in those, whose every
# syscall the seccomp filter turns into SIGSYS, and whose faults arrive as signals too: the
# handler posts them to the context page and waits for the Sentry's answer. The factory's
# own mm thread makes the stub processes (stub_clone_child).
        .intel_syntax noprefix
        .set STUB_BASE, 0x7ff000000000
        .set BELL, STUB_BASE + 0x1000
        .set STUB_CODE, STUB_BASE + 120  # after the ELF header and program header
        .set REGION_MASK, ~0xffff
        # Context page fields (host/platform/stub/stub_layout.ts names them for the Sentry).
        .set CTX_STATE, 0
        .set CTX_SIGNO, 8
        .set CTX_CODE, 12
        .set CTX_ADDR, 16
        .set CTX_UCONTEXT, 24
        .set CTX_COMMAND, 32
        .set CTX_NR, 40
        .set CTX_RESULT, 96
        .set CTX_START_ALTSTACK, 104
        .set CTX_START_SECCOMP, 112
        .set CTX_TID, 120
        .set CTX_SPIN, 128
        .set CTX_ARCH, 132
        # CTX_STATE values: the app runs; an event waits for the Sentry; the Sentry answered;
        # an event waits and its thread sleeps on the futex; the Sentry has parked the task
        # (it blocks in the kernel), so the thread sleeps at once instead of spinning.
        .set ST_APP, 0
        .set ST_EVENT, 1
        .set ST_ANSWER, 2
        .set ST_SLEEP, 3
        .set ST_PARK, 4
        # CTX_COMMAND bits: run the syscall in CTX_NR.. first; then return to the app.
        .set CMD_RUN, 1
        .set CMD_RESUME, 2
        # The bell page holds a counter every event raises. The Sentry's page (the next one)
        # says whether the Sentry sleeps on the bell; the waker's page (the one after, never
        # mapped in a stub) is set by the waker until the Sentry has seen it.
        .set BELL_COUNT, 0
        .set SENTRY_SLEEPING, 0x1000
        .set WAKER_FLAG, 0x2000
        .set WAKE_ALL, 0x7fffffff

        .set SYS_rt_sigaction, 13
        .set SYS_rt_sigreturn, 15
        .set SYS_getpid, 39
        .set SYS_kill, 62
        .set SYS_sigaltstack, 131
        .set SYS_prctl, 157
        .set SYS_futex, 202
        .set SYS_epoll_wait, 232
        .set SYS_seccomp, 317
        .set SYS_mmap, 9
        .set SYS_write, 1
        .set SYS_rt_sigprocmask, 14
        .set SYS_clone, 56
        .set SYS_munmap, 11
        .set SYS_close, 3
        .set SYS_getppid, 110
        .set SYS_exit_group, 231
        # The stub's fds (stub_layout.ts): the stub memfd, the eventfd of mm threads, and the
        # factory's eventfd (which only the factory keeps).
        .set STUB_MEMFD_FD, 1
        .set STUB_EVENTFD_FD, 2
        .set FACTORY_EVENTFD_FD, 3
        # The batch page (stub_layout.ts): a sequence number the Sentry raises for each
        # batch (mm threads), the count, then the entries.
        .set BATCH_SEQ, 0
        .set BATCH_COUNT, 8
        .set BATCH_ENTRIES, 16
        .set CLONE_THREAD, 0x10000
        # An app thread of systrap: CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
        # CLONE_THREAD | CLONE_SYSVSEM | CLONE_UNTRACED | CLONE_CHILD_SETTID |
        # CLONE_CHILD_CLEARTID (host/platform/systrap/platform.ts names the same flags).
        .set APP_THREAD_FLAGS, 0x1a50f00
        .set CTX_PID, 136
        .set FUTEX_WAIT, 0
        .set FUTEX_WAKE, 1

        .text
        .globl stub_entry
stub_entry:
        # The handler takes every signal an app thread can raise: SIGSYS from the filter,
        # faults, and SIGUSR2, which the Sentry sends to interrupt a thread.
        lea r12, [rip + handled_signals]
        mov r13d, handled_signals_end - handled_signals
1:      movzx edi, byte ptr [r12]
        lea rsi, [rip + handler_action]
        xor edx, edx
        mov r10d, 8
        mov eax, SYS_rt_sigaction
        syscall
        inc r12
        dec r13d
        jnz 1b
        # no_new_privs lets an unprivileged thread install its seccomp filter.
        mov eax, SYS_prctl
        mov edi, 38                     # PR_SET_NO_NEW_PRIVS
        mov esi, 1
        xor edx, edx
        xor r10d, r10d
        xor r8d, r8d
        syscall
        call self_stop
        int3                            # never reached: the tracer moves rip first

# Asks for SIGKILL when the parent (the Sentry) dies, then stops itself so that the Sentry
# can seize it.
self_stop:
        mov eax, SYS_prctl
        mov edi, 1                      # PR_SET_PDEATHSIG
        mov esi, 9                      # SIGKILL
        syscall
        mov eax, SYS_getpid
        syscall
        mov edi, eax
        mov esi, 19                     # SIGSTOP
        mov eax, SYS_kill
        syscall
        ret

# An injected syscall: the tracer sets the registers and rip here, and gets control back at
# the int3.
        .globl stub_inject
stub_inject:
        syscall
        int3
        jmp stub_inject

# The batch loop: rbx points to a batch page, whose count is followed by entries of eight
# 64-bit words (syscall number, six arguments, unused). The syscalls are made in order; the
# first that fails stops the loop with r12 = the entries left, that one included. The loop
# writes no memory, so the page is mapped read-only in the stub: the app's threads cannot
# change a batch while it runs. A clone's child goes on at stub_clone_child: whether it is
# one is decided from registers only (rbp holds the syscall's number), never from the page,
# which holds the next batch by the time a slow child looks. Uses r12, r13, rbp and the
# syscall registers; labels 18: and 19: are its own.
        .macro BATCH_LOOP
        mov r12, [rbx + BATCH_COUNT]
        lea r13, [rbx + BATCH_ENTRIES]
18:     test r12, r12
        jz 19f
        mov rbp, [r13]
        mov rax, rbp
        mov rdi, [r13 + 8]
        mov rsi, [r13 + 16]
        mov rdx, [r13 + 24]
        mov r10, [r13 + 32]
        mov r8, [r13 + 40]
        mov r9, [r13 + 48]
        syscall
        test rax, rax
        jnz 17f
        cmp rbp, SYS_clone
        je stub_clone_child
17:     cmp rax, -4095
        jae 19f
        add r13, 64
        dec r12
        jmp 18b
19:
        .endm

# A batch made by the traced control thread (ptrace platform): the tracer sets rbx and rip
# here, and gets control back at the int3.
        .globl stub_batch
stub_batch:
        BATCH_LOOP
        int3
        jmp stub_batch

# An mm thread (systrap): the first thread of every stub process, and one thread of the
# factory, with rbx = its batch page and r15 = the eventfd it reports to. It has no stack it may write (rsp is the read-only batch page or
# the factory's: a push would end the process) and every signal blocked, so nothing the app
# does reaches its registers; it only reads its batch page, which the app cannot write. It
# sleeps on the page's sequence number; for each new one it makes the batch, then adds to
# the eventfd, which the app's filter forbids it to write: 1 if the whole batch was made, 2
# if not. The Sentry waits for that, so a change cannot be reported done before it is.
stub_mm_thread:
        mov eax, SYS_rt_sigprocmask
        mov edi, 2                      # SIG_SETMASK
        lea rsi, [rip + all_signals]
        xor edx, edx
        mov r10d, 8
        syscall
        xor r14d, r14d                  # the last sequence number done
15:     mov eax, [rbx + BATCH_SEQ]
        cmp eax, r14d
        jne 16f
        mov rdi, rbx
        mov esi, FUTEX_WAIT
        mov edx, r14d
        xor r10d, r10d
        mov eax, SYS_futex
        syscall
        jmp 15b
16:     mov r14d, eax
        BATCH_LOOP
        lea rsi, [rip + batch_done]
        test r12, r12
        jz 17f
        lea rsi, [rip + batch_failed]
17:     mov edi, r15d
        mov edx, 8
        mov eax, SYS_write
        syscall
        jmp 15b

# The factory's mm thread: the tracer injects clone here in the factory's control thread,
# with rbx and r15 as stub_mm_thread wants them.
        .globl stub_mm_clone
stub_mm_clone:
        syscall
        test rax, rax
        jz stub_mm_thread
        int3

# The child of a clone made by an mm thread's batch (rdi = its flags). A new app thread
# (CLONE_THREAD) starts on the stack the entry gave it. A new stub process (the factory's
# mm thread made it: it has no other thread, and the Sentry as its parent, CLONE_PARENT)
# gets r9 = its batch page, r8 = its first app thread's region and rdx = the Sentry's pid
# from the entry's arguments that clone ignores without CLONE_SETTLS/PARENT_SETTID. It asks for SIGKILL when the Sentry dies and checks it was
# not orphaned first, lets go of what it holds of the factory's (its batch page, its eventfd),
# maps its own batch page and the thread's region, clones the thread, and becomes the
# stub's mm thread. Any failure ends it; the Sentry, waiting for the thread, sees it die.
stub_clone_child:
        test edi, CLONE_THREAD
        jnz stub_thread_start
        mov r12, r9
        mov r14, r8
        mov r15, rdx
        mov eax, SYS_prctl
        mov edi, 1                      # PR_SET_PDEATHSIG
        mov esi, 9                      # SIGKILL
        syscall
        mov eax, SYS_getppid
        syscall
        cmp rax, r15
        jne 14f
        mov eax, SYS_close
        mov edi, FACTORY_EVENTFD_FD
        syscall
        mov rdi, rbx
        mov esi, 0x1000
        mov eax, SYS_munmap
        syscall
        mov rdi, r12
        mov esi, 0x1000
        mov edx, 1                      # PROT_READ: the batch page
        mov r10d, 0x11                  # MAP_SHARED | MAP_FIXED
        mov r8d, STUB_MEMFD_FD
        mov r9, r12
        movabs rax, STUB_BASE
        sub r9, rax                     # offset = address - STUB_BASE
        mov eax, SYS_mmap
        syscall
        cmp rax, -4095
        jae 14f
        mov rdi, r14
        mov esi, 0x10000
        mov edx, 3                      # PROT_READ | PROT_WRITE
        mov r10d, 0x11
        mov r8d, STUB_MEMFD_FD
        mov r9, r14
        movabs rax, STUB_BASE
        sub r9, rax
        mov eax, SYS_mmap
        syscall
        cmp rax, -4095
        jae 14f
        mov edi, APP_THREAD_FLAGS
        lea rsi, [r14 + 0x10000 - 64]   # the new thread's stack
        xor edx, edx
        lea r10, [r14 + CTX_TID]        # ctid
        xor r8d, r8d
        mov eax, SYS_clone
        syscall
        test rax, rax
        jz stub_thread_start
        cmp rax, -4095
        jae 14f
        mov rbx, r12
        mov r15d, STUB_EVENTFD_FD
        jmp stub_mm_thread
14:     mov eax, SYS_exit_group
        mov edi, 1
        syscall

# A new app thread, on the stack at the top of its region: it unblocks the signals it must
# take (its mm thread blocks them all) but SIGUSR2, the kick, which waits until the Sentry's
# first answer unblocks it through the frame's saved mask: before its filter is installed,
# nothing may run the handler, whose answers the app can forge through the context page.
# It notes its process's pid in its context page, sets its signal
# stack, installs the app filter (whose address stub_image.ts writes into app_filter) and
# traps into the handler, where it waits for the Sentry to give it the app's registers.
stub_thread_start:
        mov rbx, rsp
        and rbx, REGION_MASK
        mov eax, SYS_rt_sigprocmask
        mov edi, 2                      # SIG_SETMASK
        lea rsi, [rip + only_kick]
        xor edx, edx
        mov r10d, 8
        syscall
        mov eax, SYS_getpid
        syscall
        mov [rbx + CTX_PID], rax
        lea rax, [rbx + 0x1000]
        mov [rsp], rax                  # ss_sp
        mov qword ptr [rsp + 8], 0      # ss_flags
        mov qword ptr [rsp + 16], 0xf000 # ss_size
        mov rdi, rsp
        xor esi, esi
        mov eax, SYS_sigaltstack
        syscall
        mov [rbx + CTX_START_ALTSTACK], rax
        mov eax, SYS_seccomp
        mov edi, 1                      # SECCOMP_SET_MODE_FILTER
        xor esi, esi
        lea rdx, [rip + app_filter]
        syscall
        mov [rbx + CTX_START_SECCOMP], rax
        # Without its signal stack or its filter the thread must never run app code: the
        # whole stub ends (the Sentry sees its process die).
        or rax, [rbx + CTX_START_ALTSTACK]
        jz stub_start_trap
        mov eax, SYS_exit_group
        mov edi, 1
        syscall
        # getpid is not allowed from here, so the filter turns it into SIGSYS; if the filter
        # is missing, getpid runs and ud2 raises SIGILL instead: either way the Sentry gets
        # the start event and reads the two results above.
        .globl stub_start_trap
stub_start_trap:
        mov eax, SYS_getpid
        syscall
        ud2

# The signal handler (rdi = signo, rsi = siginfo, rdx = ucontext), on the thread's signal
# stack, every signal blocked. It posts the event, rings the bell, and waits for the answer:
# spinning a while (the Sentry usually answers in microseconds), then on the futex; at once
# on the futex if the Sentry parks it.
        .globl stub_handler
stub_handler:
        mov rbx, rsp
        and rbx, REGION_MASK
        mov [rbx + CTX_SIGNO], edi
        mov eax, [rsi + 8]
        mov [rbx + CTX_CODE], eax
        mov rax, [rsi + 16]
        mov [rbx + CTX_ADDR], rax
        mov eax, [rsi + 28]             # si_arch, for SIGSYS
        mov [rbx + CTX_ARCH], eax
        mov [rbx + CTX_UCONTEXT], rdx
5:      mov dword ptr [rbx + CTX_STATE], ST_EVENT
        movabs r12, BELL
        lock inc dword ptr [r12 + BELL_COUNT]
        cmp dword ptr [r12 + SENTRY_SLEEPING], 0
        je 6f
        mov rdi, r12
        mov esi, FUTEX_WAKE
        mov edx, WAKE_ALL               # every waiter: an app may wait on the bell too
        mov eax, SYS_futex
        syscall
6:      mov ecx, [rbx + CTX_SPIN]
7:      mov edx, [rbx + CTX_STATE]
        cmp edx, ST_ANSWER
        je 9f
        cmp edx, ST_PARK
        je 8f
        pause
        dec ecx
        jnz 7b
        # Tell the Sentry to wake us, unless it answered meanwhile.
        mov eax, ST_EVENT
        mov edx, ST_SLEEP
        lock cmpxchg dword ptr [rbx + CTX_STATE], edx
        jne 6b
8:      mov rdi, rbx                    # sleep while the state is edx (ST_SLEEP or ST_PARK)
        mov esi, FUTEX_WAIT
        lea r10, [rip + sleep_timeout]  # and look again now and then: a lost wake-up
                                        # costs a delay, never a hang
        mov eax, SYS_futex
        syscall
        mov edx, [rbx + CTX_STATE]
        cmp edx, ST_SLEEP
        je 8b
        cmp edx, ST_PARK
        je 8b
        jmp 6b
9:      mov eax, [rbx + CTX_COMMAND]
        test eax, CMD_RUN
        jz 10f
        mov rax, [rbx + CTX_NR]
        mov rdi, [rbx + CTX_NR + 8]
        mov rsi, [rbx + CTX_NR + 16]
        mov rdx, [rbx + CTX_NR + 24]
        mov r10, [rbx + CTX_NR + 32]
        mov r8, [rbx + CTX_NR + 40]
        mov r9, [rbx + CTX_NR + 48]
        syscall
        mov [rbx + CTX_RESULT], rax
        mov eax, [rbx + CTX_COMMAND]
10:     test eax, CMD_RESUME
        jz 5b                           # no resume: report the result, wait again
        mov dword ptr [rbx + CTX_STATE], ST_APP
        ret                             # to stub_restorer, with rsp as the kernel left it

        .globl stub_restorer
stub_restorer:
        mov eax, SYS_rt_sigreturn
        syscall

        .balign 8
sleep_timeout:                          # struct timespec: 10 ms
        .quad 0, 10000000
all_signals:                            # sigset_t
        .quad -1
only_kick:                              # sigset_t: SIGUSR2 (bit 12 - 1)
        .quad 0x800
batch_done:                             # what an mm thread adds to the eventfd
        .quad 1
batch_failed:
        .quad 2
handler_action:                         # struct kernel_sigaction
        .quad stub_handler - stub_entry + STUB_CODE
        .quad 0x0c000004                # SA_SIGINFO | SA_ONSTACK | SA_RESTORER
        .quad stub_restorer - stub_entry + STUB_CODE
        .quad -1                        # every signal blocked while it runs
handled_signals:
        .byte 31, 11, 7, 8, 4, 5, 12    # SIGSYS SIGSEGV SIGBUS SIGFPE SIGILL SIGTRAP SIGUSR2
handled_signals_end:
        .balign 8
app_filter:                             # struct sock_fprog, filled by stub_image.ts
        .quad 0
        .quad 0
        .globl stub_end
stub_end:

# The waker (DESIGN.md §3): a separate tiny program that holds, as fd 0, an epoll set the
# Sentry fills (its timerfd and the host fds it watches) and, as fd 1, the stub memfd. It
# loops on epoll_wait; when something is ready it sets WAKER_FLAG, rings the bell (which wakes
# the systrap platform), raises SIGUSR1 on itself (which the ptrace platform, tracing it, sees
# as a stop; untraced, the ignored signal is dropped) and sleeps until the Sentry has cleared
# WAKER_FLAG again.
        .globl waker_entry
waker_entry:
        mov eax, SYS_prctl
        mov edi, 1                      # PR_SET_PDEATHSIG
        mov esi, 9                      # SIGKILL
        syscall
        mov edi, 10                     # SIGUSR1
        lea rsi, [rip + ignore_action]
        xor edx, edx
        mov r10d, 8
        mov eax, SYS_rt_sigaction
        syscall
        xor edi, edi
        mov esi, 0x3000                 # the bell, the Sentry's and the waker's pages
        mov edx, 3                      # PROT_READ | PROT_WRITE
        mov r10d, 1                     # MAP_SHARED
        mov r8d, 1
        mov r9d, 0x1000                 # the bell page's offset
        mov eax, SYS_mmap
        syscall
        mov r12, rax
11:     xor edi, edi
        lea rsi, [rsp - 64]             # room for one event
        mov edx, 1
        mov r10d, -1
        mov eax, SYS_epoll_wait
        syscall
        mov dword ptr [r12 + WAKER_FLAG], 1
        lock inc dword ptr [r12 + BELL_COUNT]
        mov rdi, r12
        mov esi, FUTEX_WAKE
        mov edx, WAKE_ALL
        mov eax, SYS_futex
        syscall
        mov eax, SYS_getpid
        syscall
        mov edi, eax
        mov esi, 10                     # SIGUSR1
        mov eax, SYS_kill
        syscall
12:     cmp dword ptr [r12 + WAKER_FLAG], 0
        je 11b
        lea rdi, [r12 + WAKER_FLAG]
        mov esi, FUTEX_WAIT
        mov edx, 1
        xor r10d, r10d
        mov eax, SYS_futex
        syscall
        jmp 12b
        .balign 8
ignore_action:                          # struct kernel_sigaction: SIG_IGN
        .quad 1, 0, 0, 0
        .globl waker_end
waker_end:
